package e2e

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/chromedp/chromedp"

	"github.com/kemensos/jaring/internal/public"
)

// A family head with a two-word (or longer) name, no namesake in the
// village, whose family receives (or does not receive) PKH in the final
// determination.
const (
	twoWords   = ` AND p.name LIKE '% %'`
	noNamesake = ` AND NOT EXISTS (SELECT 1 FROM person o WHERE o.valid_to IS NULL AND o.village_code = p.village_code
		AND o.name_key = p.name_key AND o.id <> p.id)`
	pkhItem = ` EXISTS (SELECT 1 FROM determination_item i JOIN determination d ON d.id = i.determination_id
		WHERE d.program = 'PKH' AND d.kind = 'penetapan' AND d.status = 'final' AND i.family_id = p.family_id
		AND i.status IN ('new', 'continuing'))`
	receivesPKH = twoWords + noNamesake + ` AND` + pkhItem
	noPKH       = twoWords + noNamesake + ` AND NOT` + pkhItem
)

// maskedName is the pattern of a name as the public check may show it:
// each word keeps its first and last letter, the letters between are
// asterisks; words of one or two letters stay.
func maskedName(name string) *regexp.Regexp {
	var parts []string
	for _, w := range strings.Fields(strings.ToUpper(name)) {
		n := utf8.RuneCountInString(w)
		if n <= 2 {
			parts = append(parts, regexp.QuoteMeta(w))
			continue
		}
		first, _ := utf8.DecodeRuneInString(w)
		last, _ := utf8.DecodeLastRuneInString(w)
		parts = append(parts, regexp.QuoteMeta(string(first))+`\*{`+strconv.Itoa(n-2)+`}`+regexp.QuoteMeta(string(last)))
	}
	return regexp.MustCompile(`^` + strings.Join(parts, ` `) + `$`)
}

// checkContinue is the check form's Continue button.
const checkContinue = `#form-nama button[type=submit]`

// chooseRegions picks the person's province, regency, district and village
// in the form's lists, one after the other as a person does: with the
// script each choice fills the next list; without it each choice is sent
// with Continue (the button cont) and the page comes back with the next list.
func chooseRegions(tb *tab, village string, script bool, cont string) {
	tb.t.Helper()
	parts := strings.Split(village, ".")
	ids := []string{"provinsi", "kabupaten", "kecamatan", "wilayah"}
	for i, id := range ids {
		code := strings.Join(parts[:i+1], ".")
		opt := `#` + id + ` option[value="` + code + `"]`
		tb.do("wait for "+code+" in the "+id+" list", chromedp.WaitReady(chromedp.CSS(opt)))
		if script {
			// Choosing an option fires change, which fills the next list.
			tb.do("choose "+code, chromedp.SetValue(chromedp.CSS(`#`+id), code),
				discard(chromedp.Evaluate[bool](`document.getElementById("`+id+`").dispatchEvent(new Event("change", {bubbles: true}))`)))
			continue
		}
		tb.do("choose "+code, chromedp.SetAttributeValue(chromedp.CSS(opt), "selected", "selected"))
		if i < len(ids)-1 {
			tb.do("continue after "+code,
				chromedp.Click(chromedp.CSS(cont)),
				chromedp.WaitReady(chromedp.CSS(`#`+ids[i+1]+` option[value^="`+code+`."]`)))
		}
	}
}

// checkAnswer reads the answer page: the masked name matches, the status
// of PKH is the wanted one (with the reason why not), and neither the NIK
// nor the name is anywhere in the page.
func checkAnswer(t *testing.T, tb *tab, p person, receiving bool) {
	t.Helper()
	if got := strings.TrimSpace(tb.text(`dd.samar`)); !maskedName(p.Name).MatchString(got) {
		t.Errorf("masked name %q does not match %s", got, maskedName(p.Name))
	}
	var pkh string
	for _, n := range run(tb, "find the programs", chromedp.Nodes(chromedp.CSSAll(`main table tbody tr`))) {
		if row := run(tb, "read a program", chromedp.Text(chromedp.NodeIDs{n.NodeID})); strings.Contains(row, "(PKH)") {
			pkh = row
		}
	}
	switch {
	case pkh == "":
		t.Errorf("the answer has no PKH row:\n%s", tb.text(`main`))
	case receiving && !strings.Contains(pkh, "Menerima"):
		t.Errorf("PKH row %q, want Menerima", pkh)
	case !receiving && !strings.Contains(pkh, "Tidak menerima"):
		t.Errorf("PKH row %q, want Tidak menerima", pkh)
	case !receiving && tb.text(`main ul.alasan li`) == "":
		t.Errorf("PKH not received, but no reason given")
	}
	tb.lacks("answer", p.NIK, p.Name)
}

// checkByName: the check by region and name with the page's script, which
// fills the lists and solves the challenge.
func checkByName(t *testing.T, s *site, tb *tab) {
	p := s.findPerson(t, receivesPKH)
	tb.do("open the check", chromedp.Navigate(s.URL+"/cek-bansos"), chromedp.WaitVisible(chromedp.ID("provinsi")))
	tb.shot("formulir")
	chooseRegions(tb, p.VillageCode, true, checkContinue)
	tb.do("type the name", chromedp.SendKeys(chromedp.ID("nama"), p.Name))
	tb.shot("terisi")
	tb.do("check", chromedp.Click(chromedp.CSS(`#form-nama button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(`dd.samar`)))
	tb.shot("hasil")
	checkAnswer(t, tb, p, true)
}

// checkByNIK: the check by NIK, of a family that does not receive PKH.
func checkByNIK(t *testing.T, s *site, tb *tab) {
	p := s.findPerson(t, noPKH)
	tb.do("open the check", chromedp.Navigate(s.URL+"/cek-bansos"), chromedp.WaitVisible(chromedp.ID("nik")))
	tb.do("type the NIK", chromedp.SendKeys(chromedp.ID("nik"), p.NIK))
	tb.do("check", chromedp.Click(chromedp.CSS(`#form-nik button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(`dd.samar`)))
	tb.shot("hasil-nik")
	checkAnswer(t, tb, p, false)
}

// checkWithoutScript: the check by region and name in a browser that runs
// no JavaScript: each list comes with Continue, and the challenge is passed
// by waiting public.NoScriptWait after the form was served.
func checkWithoutScript(t *testing.T, s *site, tb *tab) {
	p := s.findPerson(t, receivesPKH+` AND p.id <> (SELECT MIN(q.id) FROM person q WHERE q.valid_to IS NULL)`)
	tb.openWithoutScript("open the check", s.URL+"/cek-bansos", "provinsi")
	chooseRegions(tb, p.VillageCode, false, checkContinue)
	served := time.Now()
	tb.do("type the name", chromedp.SendKeys(chromedp.ID("nama"), p.Name))
	tb.shot("tanpa-js-terisi")
	// The challenge's no-script path: a form sent sooner is refused with
	// "send again in N seconds" (a test of its own in internal/public).
	time.Sleep(time.Until(served.Add(public.NoScriptWait + time.Second)))
	tb.do("check", chromedp.Click(chromedp.CSS(`#form-nama button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(`dd.samar`)))
	tb.shot("tanpa-js-hasil")
	checkAnswer(t, tb, p, true)
}
