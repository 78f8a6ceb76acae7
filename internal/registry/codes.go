package registry

// A CodeSet is a closed list of values a field may take. Codes are short
// Indonesian words, stable across versions; labels are for display.
type CodeSet struct {
	Field  string // import column name
	Codes  []string
	Labels map[string]string // Indonesian label per code
}

// Has reports whether c is one of the set's codes.
func (s *CodeSet) Has(c string) bool {
	for _, x := range s.Codes {
		if x == c {
			return true
		}
	}
	return false
}

// Label returns the Indonesian label of c, or c itself when it has none.
func (s *CodeSet) Label(c string) string {
	if l, ok := s.Labels[c]; ok {
		return l
	}
	return c
}

func codeSet(field string, pairs ...string) *CodeSet {
	s := &CodeSet{Field: field, Labels: map[string]string{}}
	for i := 0; i+1 < len(pairs); i += 2 {
		s.Codes = append(s.Codes, pairs[i])
		s.Labels[pairs[i]] = pairs[i+1]
	}
	return s
}

// Family housing and asset attributes used by the proxy-means test.
var (
	FloorMaterial = codeSet("lantai",
		"tanah", "Tanah", "bambu", "Bambu", "kayu_kualitas_rendah", "Kayu/papan kualitas rendah",
		"kayu_kualitas_tinggi", "Kayu/papan kualitas tinggi", "semen", "Semen/bata merah",
		"ubin", "Ubin/tegel/teraso", "keramik", "Keramik", "marmer", "Marmer/granit", "lainnya", "Lainnya")
	WallMaterial = codeSet("dinding",
		"bambu", "Bambu", "anyaman_bambu", "Anyaman bambu", "kayu", "Kayu/papan", "seng", "Seng",
		"plesteran_anyaman", "Plesteran anyaman bambu/kawat", "tembok_tanpa_plester", "Tembok tanpa plester",
		"tembok", "Tembok", "lainnya", "Lainnya")
	RoofMaterial = codeSet("atap",
		"ijuk_rumbia", "Ijuk/rumbia", "bambu", "Bambu", "kayu_sirap", "Kayu/sirap", "seng", "Seng",
		"asbes", "Asbes", "genteng", "Genteng", "beton", "Beton", "lainnya", "Lainnya")
	WaterSource = codeSet("sumber_air",
		"air_hujan", "Air hujan", "sungai_danau", "Sungai/danau/waduk", "mata_air_tak_terlindung", "Mata air tak terlindung",
		"sumur_tak_terlindung", "Sumur tak terlindung", "mata_air_terlindung", "Mata air terlindung",
		"sumur_terlindung", "Sumur terlindung", "sumur_bor", "Sumur bor/pompa", "leding", "Air leding",
		"air_kemasan", "Air kemasan/isi ulang")
	Sanitation = codeSet("sanitasi",
		"tidak_ada", "Tidak ada", "umum", "Jamban umum", "bersama", "Jamban bersama", "sendiri", "Jamban sendiri")
	Electricity = codeSet("listrik",
		"tidak_ada", "Tidak ada", "non_pln", "Listrik non-PLN", "pln_450", "PLN 450 VA", "pln_900", "PLN 900 VA",
		"pln_1300", "PLN 1.300 VA", "pln_2200", "PLN 2.200 VA", "pln_lebih_2200", "PLN > 2.200 VA")
	CookingFuel = codeSet("bahan_bakar",
		"tidak_memasak", "Tidak memasak", "kayu_bakar", "Kayu bakar", "arang", "Arang", "minyak_tanah", "Minyak tanah",
		"lpg_3kg", "Elpiji 3 kg", "lpg_besar", "Elpiji 5,5 kg atau lebih", "gas_kota", "Gas kota", "listrik", "Listrik")
	HouseOwnership = codeSet("status_rumah",
		"milik_sendiri", "Milik sendiri", "kontrak_sewa", "Kontrak/sewa", "bebas_sewa", "Bebas sewa",
		"dinas", "Dinas", "lainnya", "Lainnya")
	LandOwnership = codeSet("status_lahan",
		"milik_sendiri", "Milik sendiri", "milik_orang_lain", "Milik orang lain", "tanah_negara", "Tanah negara",
		"lainnya", "Lainnya")
	// Assets are listed in one column, separated by '|'.
	Asset = codeSet("aset",
		"tabung_gas", "Tabung gas 5,5 kg atau lebih", "kulkas", "Lemari es/kulkas", "ac", "AC",
		"pemanas_air", "Pemanas air", "telepon_rumah", "Telepon rumah", "televisi", "Televisi layar datar",
		"emas", "Emas/perhiasan (min. 10 gram)", "komputer", "Komputer/laptop", "sepeda", "Sepeda",
		"sepeda_motor", "Sepeda motor", "mobil", "Mobil", "perahu", "Perahu", "motor_tempel", "Motor tempel",
		"perahu_motor", "Perahu motor", "kapal", "Kapal", "lahan", "Lahan lain", "rumah_lain", "Rumah di tempat lain")
)

// Person attributes.
var (
	Sex      = codeSet("jenis_kelamin", "L", "Laki-laki", "P", "Perempuan")
	Relation = codeSet("hubungan",
		"kepala_keluarga", "Kepala keluarga", "istri", "Istri", "suami", "Suami", "anak", "Anak",
		"menantu", "Menantu", "cucu", "Cucu", "orang_tua", "Orang tua", "mertua", "Mertua",
		"famili_lain", "Famili lain", "lainnya", "Lainnya")
	MaritalStatus = codeSet("status_kawin",
		"belum_kawin", "Belum kawin", "kawin", "Kawin", "cerai_hidup", "Cerai hidup", "cerai_mati", "Cerai mati")
	// Education is the highest level completed.
	Education = codeSet("pendidikan",
		"tidak_sekolah", "Tidak/belum sekolah", "sd", "SD/MI/sederajat", "smp", "SMP/MTs/sederajat",
		"sma", "SMA/SMK/MA/sederajat", "diploma", "D1-D3", "s1", "D4/S1", "s2_s3", "S2/S3")
	// SchoolLevel is the level a member is enrolled in now (empty: not enrolled).
	SchoolLevel = codeSet("jenjang_sekolah",
		"paud", "PAUD/TK", "sd", "SD/MI", "smp", "SMP/MTs", "sma", "SMA/SMK/MA", "pt", "Perguruan tinggi")
	Occupation = codeSet("pekerjaan",
		"tidak_bekerja", "Tidak bekerja", "mengurus_rumah_tangga", "Mengurus rumah tangga", "pelajar", "Pelajar/mahasiswa",
		"petani", "Petani/pekebun", "nelayan", "Nelayan", "buruh", "Buruh harian lepas", "pedagang", "Pedagang",
		"wiraswasta", "Wiraswasta", "karyawan_swasta", "Karyawan swasta", "sopir_ojek", "Sopir/ojek",
		"asn", "ASN (PNS/PPPK)", "tni", "TNI", "polri", "Polri", "pensiunan", "Pensiunan ASN/TNI/Polri",
		"perangkat_desa", "Perangkat desa", "guru_bersertifikat", "Guru bersertifikasi",
		"tenaga_kesehatan", "Tenaga kesehatan", "dokter", "Dokter", "dosen", "Dosen",
		"karyawan_bumn", "Karyawan BUMN", "pemilik_perusahaan", "Pemilik/pengurus perusahaan",
		"pekerja_migran", "Pekerja migran di luar negeri", "lainnya", "Lainnya")
	Disability = codeSet("disabilitas",
		"fisik", "Disabilitas fisik", "intelektual", "Disabilitas intelektual", "mental", "Disabilitas mental",
		"sensorik", "Disabilitas sensorik", "ganda", "Disabilitas ganda")
	DisabilitySeverity = codeSet("tingkat_disabilitas", "ringan", "Ringan", "sedang", "Sedang", "berat", "Berat")
	// PPKS categories (people needing social welfare services), '|'-separated.
	PPKS = codeSet("ppks",
		"anak_terlantar", "Anak terlantar", "anak_jalanan", "Anak jalanan", "lansia_terlantar", "Lanjut usia terlantar",
		"penyandang_disabilitas", "Penyandang disabilitas", "tuna_susila", "Tuna susila", "gelandangan", "Gelandangan",
		"pengemis", "Pengemis", "korban_bencana", "Korban bencana", "korban_kekerasan", "Korban tindak kekerasan",
		"komunitas_adat_terpencil", "Komunitas adat terpencil", "keluarga_rentan", "Keluarga rentan",
		"perempuan_rawan_sosial_ekonomi", "Perempuan rawan sosial ekonomi", "fakir_miskin", "Fakir miskin")
	// Status applies to families and people. Nothing is deleted: a record is
	// put to sleep (ditidurkan) with a reason instead.
	Status = codeSet("status",
		"aktif", "Aktif", "meninggal", "Meninggal", "pindah", "Pindah", "ditidurkan", "Ditidurkan")
)

// ExcludedOccupations are the occupations that exclude a family from aid
// (DOMAIN.md, Exclusions).
var ExcludedOccupations = []string{"asn", "tni", "polri", "pensiunan", "perangkat_desa",
	"guru_bersertifikat", "tenaga_kesehatan", "dokter", "dosen", "karyawan_bumn", "pemilik_perusahaan", "pekerja_migran"}

// Livestock columns hold head counts.
var Livestock = []string{"ternak_sapi", "ternak_kerbau", "ternak_kambing", "ternak_babi", "ternak_kuda", "ternak_unggas"}
