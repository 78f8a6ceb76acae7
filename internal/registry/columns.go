package registry

// Columns of the import and export format (docs/import-format.md), family
// columns first. FamilyColumnCount says where the person columns start.
var Columns = []string{
	"no_kk", "kode_wilayah", "alamat", "rt", "rw", "lintang", "bujur",
	"lantai", "dinding", "atap", "sumber_air", "sanitasi", "listrik", "bahan_bakar",
	"status_rumah", "status_lahan", "luas_lantai", "aset",
	"ternak_sapi", "ternak_kerbau", "ternak_kambing", "ternak_babi", "ternak_kuda", "ternak_unggas",
	"nik", "nama", "jenis_kelamin", "tempat_lahir", "tanggal_lahir", "hubungan", "status_kawin",
	"nama_ibu", "pendidikan", "jenjang_sekolah", "id_sekolah", "pekerjaan", "disabilitas",
	"tingkat_disabilitas", "hamil", "ppks", "status", "alasan_status",
}

// FamilyColumnCount is the number of family columns at the start of Columns.
const FamilyColumnCount = 24

// RequiredColumns must be present in every import file.
var RequiredColumns = []string{"no_kk", "kode_wilayah", "nik", "nama", "jenis_kelamin", "tanggal_lahir", "hubungan"}

// Column indexes into Columns, for code that builds or reads rows.
const (
	colKK = iota
	colVillage
	colAddress
	colRT
	colRW
	colLat
	colLon
	colFloor
	colWall
	colRoof
	colWater
	colSanitation
	colElectricity
	colFuel
	colHouse
	colLand
	colFloorArea
	colAssets
	colCattle
	colBuffalo
	colGoats
	colPigs
	colHorses
	colPoultry
	colNIK
	colName
	colSex
	colBirthPlace
	colBirthDate
	colRelation
	colMarital
	colMother
	colEducation
	colSchoolLevel
	colSchoolID
	colOccupation
	colDisability
	colDisabilitySeverity
	colPregnant
	colPPKS
	colStatus
	colStatusReason
	columnCount
)
