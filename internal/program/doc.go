// Package program keeps social-assistance programs (PKH, BPNT/Sembako,
// PBI-JK, ATENSI, PENA) as dated configuration: one JSON document per
// version with an effective date, eligibility and exclusion rules written
// in CEL over a documented view of a family and its members (Family,
// Member, BuildFamily), benefit formulas (PKH components with their
// counting rules, flat amounts), payment calendars per channel and quotas
// per region. Compile checks and compiles a document once; Evaluate decides
// one family with machine-readable reason codes and Indonesian sentences;
// Store keeps versions with maker-checker approval. docs/programs.md
// describes the model and the document.
package program
