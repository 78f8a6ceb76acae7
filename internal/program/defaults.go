package program

import (
	"embed"
	"fmt"
)

//go:embed defaults/*.json
var defaultFiles embed.FS

var defaultNames = map[string]string{
	PKH: "pkh.json", BPNT: "bpnt.json", PBIJK: "pbi_jk.json", ATENSI: "atensi.json", PENA: "pena.json",
}

// Default returns the shipped configuration of a program (PKH, BPNT,
// PBI_JK, ATENSI, PENA) as a fresh, normalized document: the figures of
// DOMAIN.md, with the choices its notes name.
func Default(code string) (*Document, error) {
	name, ok := defaultNames[code]
	if !ok {
		return nil, fmt.Errorf("program: no default configuration for %q", code)
	}
	b, err := defaultFiles.ReadFile("defaults/" + name)
	if err != nil {
		return nil, err
	}
	d, err := ParseDocument(b)
	if err != nil {
		return nil, fmt.Errorf("program: default %s: %w", code, err)
	}
	d.normalize()
	return d, nil
}

// Defaults returns the shipped configuration of every program, in Codes order.
func Defaults() ([]*Document, error) {
	out := make([]*Document, 0, len(Codes))
	for _, c := range Codes {
		d, err := Default(c)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}
