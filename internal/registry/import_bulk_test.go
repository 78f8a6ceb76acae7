package registry

import (
	"bytes"
	"testing"
	"time"

	"github.com/kemensos/jaring/internal/store"
)

// encodeValues encodes values the way CopyFrom's COPY text does.
func encodeValues(c *store.CopyText, vals []any) {
	for _, v := range vals {
		switch x := v.(type) {
		case nil:
			c.Null()
		case string:
			c.Str(x)
		case int64:
			c.Int(x)
		case bool:
			c.Bool(x)
		case float64:
			c.Float(x)
		default:
			panic(x)
		}
	}
	c.End(len(vals))
}

// TestBulkTextMatchesValues: the bulk load's direct encoders write the same
// columns, in the same order, as familyValues and personValues.
func TestBulkTextMatchesValues(t *testing.T) {
	lat, lon, area := -6.48, 106.85, 36
	from := time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC)
	to := from.Add(time.Hour)
	fams := []Family{
		{ID: 7, Version: 2, KK: "3201011506100001", VillageCode: "32.01.01.2002", Address: "Jl.\tMelati\\1", RT: "001", RW: "002",
			Latitude: &lat, Longitude: &lon, FloorMaterial: "semen", WallMaterial: "tembok", RoofMaterial: "genteng",
			WaterSource: "sumur", Sanitation: "sendiri", Electricity: "pln_450", CookingFuel: "gas", HouseOwnership: "milik",
			LandOwnership: "milik", FloorArea: &area, Assets: []string{"televisi", "sepeda_motor"}, Cattle: 1, Buffalo: 2,
			Goats: 3, Pigs: 4, Horses: 5, Poultry: 6, Status: "pindah", StatusReason: "ke\nkota",
			Change: Change{ValidFrom: from, ValidTo: &to, ChangedBy: "cli:a", ChangeReason: "impor"}},
		{ID: 8, Version: 1, KK: "3201011506100002", VillageCode: "32.01.01.1001", Status: "aktif",
			Change: Change{ValidFrom: from, ChangedBy: "cli:a", ChangeReason: "impor"}},
	}
	for _, f := range fams {
		var got, want store.CopyText
		familyText(&got, &f, f.Hash())
		encodeValues(&want, familyValues(&f))
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Errorf("family:\n got %q\nwant %q", got.Bytes(), want.Bytes())
		}
	}
	people := []Person{
		{ID: 9, Version: 3, FamilyID: 7, VillageCode: "32.01.01.2002", NIK: "3201014703850001", Name: "Siti Aminah", Sex: "P",
			BirthPlace: "Bogor", BirthDate: "1985-03-07", Relation: "istri", MaritalStatus: "kawin", MotherName: "Ibu\tX",
			Education: "sma", SchoolLevel: "", SchoolID: "", Occupation: "guru", Disability: "netra",
			DisabilitySeverity: "ringan", Pregnant: true, PPKS: []string{"lansia", "disabilitas"}, Status: "aktif",
			Change: Change{ValidFrom: from, ValidTo: &to, ChangedBy: "cli:a", ChangeReason: "impor"}},
		{ID: 10, Version: 1, FamilyID: 8, NIK: "3201012008750001", Name: "Achmad Soekarno", Sex: "L", BirthDate: "1975-08-20",
			Relation: "kepala_keluarga", Status: "aktif", Change: Change{ValidFrom: from, ChangedBy: "cli:a", ChangeReason: "impor"}},
	}
	for _, p := range people {
		var got, want store.CopyText
		h := p.hashBody()
		h.i(int(p.FamilyID))
		if h.sum() != p.Hash() {
			t.Errorf("hashBody + family ID %d, Hash %d", h.sum(), p.Hash())
		}
		personText(&got, &p, NameKey(p.Name), h.sum())
		encodeValues(&want, personValues(&p))
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Errorf("person:\n got %q\nwant %q", got.Bytes(), want.Bytes())
		}
	}
}
