package web

// Exported for the tests of package web_test, which build the whole server
// (and so cannot live in package web without an import cycle).
var (
	Catalogue  = catalogue
	TemplateFS = templateFS
	SafeReturn = safeReturn
	FormatInt  = formatInt
	Redact     = redact
)
