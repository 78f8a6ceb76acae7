// Package registry keeps the social register: families by KK number and
// people by NIK, every change a new version with who, when and why.
package registry

import (
	"time"
)

// Family is one version of a family (keluarga) as registered on its KK.
type Family struct {
	ID             int64    `json:"id"`
	Version        int      `json:"version"`
	KK             string   `json:"no_kk"`
	VillageCode    string   `json:"kode_wilayah"`
	Address        string   `json:"alamat"`
	RT             string   `json:"rt"`
	RW             string   `json:"rw"`
	Latitude       *float64 `json:"lintang,omitempty"`
	Longitude      *float64 `json:"bujur,omitempty"`
	FloorMaterial  string   `json:"lantai"`
	WallMaterial   string   `json:"dinding"`
	RoofMaterial   string   `json:"atap"`
	WaterSource    string   `json:"sumber_air"`
	Sanitation     string   `json:"sanitasi"`
	Electricity    string   `json:"listrik"`
	CookingFuel    string   `json:"bahan_bakar"`
	HouseOwnership string   `json:"status_rumah"`
	LandOwnership  string   `json:"status_lahan"`
	FloorArea      *int     `json:"luas_lantai,omitempty"`
	Assets         []string `json:"aset"`
	Cattle         int      `json:"ternak_sapi"`
	Buffalo        int      `json:"ternak_kerbau"`
	Goats          int      `json:"ternak_kambing"`
	Pigs           int      `json:"ternak_babi"`
	Horses         int      `json:"ternak_kuda"`
	Poultry        int      `json:"ternak_unggas"`
	Status         string   `json:"status"`
	StatusReason   string   `json:"alasan_status"`
	Change
}

// Person is one version of a person (anggota keluarga).
type Person struct {
	ID                 int64    `json:"id"`
	Version            int      `json:"version"`
	FamilyID           int64    `json:"family_id"`
	VillageCode        string   `json:"kode_wilayah"`
	NIK                string   `json:"nik"`
	Name               string   `json:"nama"`
	Sex                string   `json:"jenis_kelamin"`
	BirthPlace         string   `json:"tempat_lahir"`
	BirthDate          string   `json:"tanggal_lahir"`
	Relation           string   `json:"hubungan"`
	MaritalStatus      string   `json:"status_kawin"`
	MotherName         string   `json:"nama_ibu"`
	Education          string   `json:"pendidikan"`
	SchoolLevel        string   `json:"jenjang_sekolah"`
	SchoolID           string   `json:"id_sekolah"`
	Occupation         string   `json:"pekerjaan"`
	Disability         string   `json:"disabilitas"`
	DisabilitySeverity string   `json:"tingkat_disabilitas"`
	Pregnant           bool     `json:"hamil"`
	PPKS               []string `json:"ppks"`
	Status             string   `json:"status"`
	StatusReason       string   `json:"alasan_status"`
	Change
}

// Change says who made a version, when and why. ValidTo is nil for the
// current version.
type Change struct {
	ValidFrom    time.Time  `json:"valid_from"`
	ValidTo      *time.Time `json:"valid_to,omitempty"`
	ChangedBy    string     `json:"changed_by"`
	ChangeReason string     `json:"change_reason"`
}

// Current reports whether this is the current version.
func (c Change) Current() bool { return c.ValidTo == nil }
