package seed

import (
	"math"

	"github.com/kemensos/jaring/internal/registry"
)

// Columns is the header of the import format, in the order Generator emits
// values: the family columns, then the person columns (docs/import-format.md).
var Columns = []string{
	"no_kk", "kode_wilayah", "alamat", "rt", "rw", "lintang", "bujur",
	"lantai", "dinding", "atap", "sumber_air", "sanitasi", "listrik", "bahan_bakar",
	"status_rumah", "status_lahan", "luas_lantai", "aset",
	"ternak_sapi", "ternak_kerbau", "ternak_kambing", "ternak_babi", "ternak_kuda", "ternak_unggas",
	"nik", "nama", "jenis_kelamin", "tempat_lahir", "tanggal_lahir", "hubungan", "status_kawin",
	"nama_ibu", "pendidikan", "jenjang_sekolah", "id_sekolah", "pekerjaan", "disabilitas",
	"tingkat_disabilitas", "hamil", "ppks", "status", "alasan_status",
}

// Column indexes into Columns.
const (
	cNoKK = iota
	cKode
	cAlamat
	cRT
	cRW
	cLintang
	cBujur
	cLantai
	cDinding
	cAtap
	cAir
	cSanitasi
	cListrik
	cBahanBakar
	cStatusRumah
	cStatusLahan
	cLuas
	cAset
	cSapi
	cKerbau
	cKambing
	cBabi
	cKuda
	cUnggas
	cNIK
	cNama
	cJK
	cTempatLahir
	cTanggalLahir
	cHubungan
	cStatusKawin
	cNamaIbu
	cPendidikan
	cJenjang
	cIDSekolah
	cPekerjaan
	cDisabilitas
	cTingkatDis
	cHamil
	cPPKS
	cStatus
	cAlasan
	nColumns
)

// familyColumns is the number of leading family columns.
const familyColumns = cNIK

// Codes used by the generator (all members of the registry code sets; the
// tests check it).
const (
	relHead     = "kepala_keluarga"
	relWife     = "istri"
	relHusband  = "suami"
	relChild    = "anak"
	relInLawKid = "menantu"
	relGrand    = "cucu"
	relParent   = "orang_tua"
	relInLaw    = "mertua"
	relOther    = "famili_lain"
	relElse     = "lainnya"

	mSingle   = "belum_kawin"
	mMarried  = "kawin"
	mDivorced = "cerai_hidup"
	mWidowed  = "cerai_mati"

	eNone    = "tidak_sekolah"
	eSD      = "sd"
	eSMP     = "smp"
	eSMA     = "sma"
	eDiploma = "diploma"
	eS1      = "s1"
	eS2      = "s2_s3"

	sPAUD = "paud"
	sSD   = "sd"
	sSMP  = "smp"
	sSMA  = "sma"
	sPT   = "pt"

	oNone      = "tidak_bekerja"
	oHousework = "mengurus_rumah_tangga"
	oStudent   = "pelajar"
	oRetired   = "pensiunan"
	oMigrant   = "pekerja_migran"
	oFisher    = "nelayan"
)

// ordinal is a housing attribute whose codes are ordered from poorest to
// best-off; a noisy welfare score is cut at normal quantiles matching the
// national shares.
type ordinal struct {
	codes []string
	cuts  []float64
}

// scoreSD is the standard deviation of the score compared with the cuts:
// welfare (sd ≈ 1.1) plus noise 0.8.
const scoreSD = 1.36

func newOrdinal(codes []string, shares []float64) ordinal {
	total := 0.0
	for _, s := range shares {
		total += s
	}
	o := ordinal{codes: codes}
	cum := 0.0
	for _, s := range shares[:len(shares)-1] {
		cum += s / total
		o.cuts = append(o.cuts, scoreSD*math.Sqrt2*math.Erfinv(2*cum-1))
	}
	return o
}

func (o *ordinal) pick(s float64) string {
	for i, c := range o.cuts {
		if s < c {
			return o.codes[i]
		}
	}
	return o.codes[len(o.codes)-1]
}

var (
	ordFloor = newOrdinal(
		[]string{"tanah", "bambu", "kayu_kualitas_rendah", "semen", "kayu_kualitas_tinggi", "ubin", "keramik", "marmer"},
		[]float64{4, 1, 5, 25, 4, 8, 52, 1})
	ordWall = newOrdinal(
		[]string{"anyaman_bambu", "bambu", "seng", "kayu", "plesteran_anyaman", "tembok_tanpa_plester", "tembok"},
		[]float64{4, 2, 1, 12, 2, 12, 67})
	ordRoof = newOrdinal(
		[]string{"ijuk_rumbia", "bambu", "kayu_sirap", "seng", "asbes", "genteng", "beton"},
		[]float64{2, 0.5, 2, 35, 12, 45, 3.5})
	ordWater = newOrdinal(
		[]string{"air_hujan", "sungai_danau", "mata_air_tak_terlindung", "sumur_tak_terlindung", "mata_air_terlindung",
			"sumur_terlindung", "sumur_bor", "leding", "air_kemasan"},
		[]float64{3, 2, 3, 5, 8, 20, 20, 12, 27})
	ordSanitation = newOrdinal(
		[]string{"tidak_ada", "umum", "bersama", "sendiri"},
		[]float64{5, 3, 8, 84})
	ordElectricity = newOrdinal(
		[]string{"tidak_ada", "non_pln", "pln_450", "pln_900", "pln_1300", "pln_2200", "pln_lebih_2200"},
		[]float64{1, 2, 25, 40, 20, 8, 4})
	ordFuel = newOrdinal(
		[]string{"kayu_bakar", "arang", "minyak_tanah", "lpg_3kg", "listrik", "gas_kota", "lpg_besar"},
		[]float64{13, 0.5, 2, 74, 2, 0.5, 8})
)

// asset is an entry of the aset list: owned with probability
// logistic(a + b·z + rural·r).
type asset struct {
	code    string
	a, b, r float64
}

var assets = []asset{
	{"tabung_gas", -2.6, 1.2, -0.3},
	{"kulkas", 0.0, 1.3, -0.4},
	{"ac", -3.2, 1.5, -1.0},
	{"pemanas_air", -4.2, 1.5, -0.8},
	{"telepon_rumah", -4.0, 1.0, -0.8},
	{"televisi", -0.2, 1.2, -0.2},
	{"emas", -2.0, 1.0, 0},
	{"komputer", -2.2, 1.4, -0.6},
	{"sepeda", -0.9, 0.2, 0.2},
	{"sepeda_motor", 1.6, 1.0, 0},
	{"mobil", -2.9, 1.5, -0.2},
	{"lahan", -1.8, 0.8, 1.0},
	{"rumah_lain", -3.6, 1.3, 0},
}

// Boat assets, for fishing families only.
var boats = []asset{
	{"perahu", 0.0, 0, 0},
	{"motor_tempel", -0.8, 0.3, 0},
	{"perahu_motor", -0.9, 0.4, 0},
	{"kapal", -3.0, 0.6, 0},
}

func logistic(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// Ordinary (not excluded) occupations and their welfare slopes.
var occCodes = []string{"petani", "buruh", "nelayan", "pedagang", "wiraswasta", "karyawan_swasta", "sopir_ojek", "lainnya"}
var occBeta = []float64{-0.3, -0.6, -0.3, 0.1, 0.4, 0.5, 0, 0}
var occWeights = [2][2][]float64{ // [male][rural]
	{ // female
		{2, 15, 0, 28, 18, 32, 0.3, 5}, // urban
		{32, 16, 0.5, 25, 12, 8, 0, 6}, // rural
	},
	{ // male
		{3, 18, 1, 15, 20, 30, 9, 4}, // urban
		{40, 20, 4, 8, 12, 8, 5, 3},  // rural
	},
}

const zBins = 12

func zBin(z float64) int {
	b := int((z + 3) * 2)
	if b < 0 {
		return 0
	}
	if b >= zBins {
		return zBins - 1
	}
	return b
}

// occTable[male][rural][bin] holds cumulative weights over occCodes.
var occTable [2][2][zBins][]float64

// Excluded occupations (DOMAIN.md): weight and the lowest education that
// allows them (0 any, 1 diploma, 2 s1+), and whether rural only.
type exclOcc struct {
	code    string
	w       float64
	minEdu  int
	rural   bool
	mostlyM bool
}

var excluded = []exclOcc{
	{"asn", 30, 0, false, false},
	{"tni", 5, 0, false, true},
	{"polri", 5, 0, false, true},
	{"perangkat_desa", 10, 0, true, false},
	{"guru_bersertifikat", 12, 2, false, false},
	{"tenaga_kesehatan", 12, 1, false, false},
	{"dokter", 1.5, 2, false, false},
	{"dosen", 2, 2, false, false},
	{"karyawan_bumn", 12, 0, false, false},
	{"pemilik_perusahaan", 6, 0, false, false},
}

// exclTable[eduLevel][rural] holds cumulative weights over excluded.
var exclTable [3][2][]float64

func init() {
	for m := 0; m < 2; m++ {
		for r := 0; r < 2; r++ {
			for b := 0; b < zBins; b++ {
				z := float64(b)/2 - 3 + 0.25
				cum := make([]float64, len(occCodes))
				s := 0.0
				for i := range occCodes {
					s += occWeights[m][r][i] * math.Exp(occBeta[i]*z)
					cum[i] = s
				}
				occTable[m][r][b] = cum
			}
		}
	}
	for e := 0; e < 3; e++ {
		for r := 0; r < 2; r++ {
			cum := make([]float64, len(excluded))
			s := 0.0
			for i, x := range excluded {
				if x.minEdu <= e && (!x.rural || r == 1) {
					s += x.w
				}
				cum[i] = s
			}
			exclTable[e][r] = cum
		}
	}
}

// eduRank orders education codes.
func eduRank(e string) int {
	switch e {
	case eSD:
		return 1
	case eSMP:
		return 2
	case eSMA:
		return 3
	case eDiploma:
		return 4
	case eS1:
		return 5
	case eS2:
		return 6
	}
	return 0
}

// eduBonus shifts the odds of formal (excluded) jobs by education.
var eduBonus = [7]float64{-1.4, -1.2, -0.6, 0, 1.0, 1.5, 2.0}

// PPKS bits, in the order of registry.PPKS.Codes.
func ppksBit(code string) uint16 {
	for i, c := range registry.PPKS.Codes {
		if c == code {
			return 1 << uint(i)
		}
	}
	panic("seed: unknown PPKS code " + code)
}

var (
	pAnakTerlantar  = ppksBit("anak_terlantar")
	pAnakJalanan    = ppksBit("anak_jalanan")
	pLansia         = ppksBit("lansia_terlantar")
	pDisabilitas    = ppksBit("penyandang_disabilitas")
	pGelandangan    = ppksBit("gelandangan")
	pPengemis       = ppksBit("pengemis")
	pBencana        = ppksBit("korban_bencana")
	pKekerasan      = ppksBit("korban_kekerasan")
	pAdat           = ppksBit("komunitas_adat_terpencil")
	pRentan         = ppksBit("keluarga_rentan")
	pPerempuanRawan = ppksBit("perempuan_rawan_sosial_ekonomi")
	pFakirMiskin    = ppksBit("fakir_miskin")
)

// Disability types and weights.
var disTypes = []string{"fisik", "sensorik", "intelektual", "mental", "ganda"}
var disCum = []float64{40, 65, 77, 90, 100}

// Family sizes 1..9 (cumulative percent).
var sizeCum = []float64{11, 30, 53, 75, 88, 94.5, 97.5, 99, 100}

type ageBin struct {
	lo, hi int
	p      float64
}

var coupleHeadAges = []ageBin{{22, 29, 14}, {30, 39, 28}, {40, 49, 26}, {50, 59, 18}, {60, 69, 10}, {70, 80, 4}}
var singleParentAges = []ageBin{{25, 39, 12}, {40, 49, 20}, {50, 59, 27}, {60, 69, 24}, {70, 85, 17}}

var streets = []string{"Melati", "Mawar", "Kenanga", "Anggrek", "Flamboyan", "Cempaka", "Dahlia", "Kamboja",
	"Sudirman", "Diponegoro", "Gajah Mada", "Ahmad Yani", "Merdeka", "Pahlawan", "Imam Bonjol", "Veteran",
	"Kartini", "Hasanuddin", "Pattimura", "Teuku Umar", "Gatot Subroto", "Cendrawasih", "Rajawali",
	"Nusantara", "Pemuda", "Raya", "Pasar", "Masjid", "Sekolah", "Mangga", "Rambutan", "Durian",
	"Kelapa", "Bougenville", "Seroja", "Teratai", "Sisingamangaraja", "Cut Nyak Dien", "Sultan Agung", "Panglima Polim"}

var romans = []string{"I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"}

var dusunNames = []string{"Krajan", "Sukamaju", "Sukamulya", "Mekarsari", "Sidomulyo", "Karangrejo", "Tegalsari",
	"Sumbersari", "Sukajadi", "Margomulyo", "Cibodas", "Babakan", "Kebonagung", "Purwosari", "Wonorejo", "Sidorejo"}

// small holds "0".."999" so small numbers need no allocation.
var small [1000]string

// padded3 holds "000".."999".
var padded3 [1000]string

func init() {
	for i := range small {
		small[i] = itoa(i)
		padded3[i] = string([]byte{byte('0' + i/100), byte('0' + i/10%10), byte('0' + i%10)})
	}
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b [20]byte
	n := len(b)
	for i > 0 {
		n--
		b[n] = byte('0' + i%10)
		i /= 10
	}
	return string(b[n:])
}
