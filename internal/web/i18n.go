package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/kemensos/jaring/internal/registry"
)

// LangCookie holds the chosen language of the back office.
const LangCookie = "jaring_bahasa"

// Languages of the back office; the first is the default.
var languages = []string{"id", "en"}

// langOf returns the request's language: the cookie's when valid, else Indonesian.
func langOf(r *http.Request) string {
	if c, err := r.Cookie(LangCookie); err == nil {
		if _, ok := catalogue[c.Value]; ok {
			return c.Value
		}
	}
	return languages[0]
}

// wib is Western Indonesia Time (Jakarta), which keeps no daylight saving:
// a fixed zone needs no time zone database on the server.
var wib = time.FixedZone("WIB", 7*3600)

// text looks a message up in lang, falling back to Indonesian, then to the key.
func text(lang, key string) string {
	if s, ok := catalogue[lang][key]; ok {
		return s
	}
	if s, ok := catalogue["id"][key]; ok {
		return s
	}
	return key
}

// codeLabel is the label of a registry code: the catalogue's translation
// ("field.code") when there is one, else the register's Indonesian label.
func codeLabel(lang string, set *registry.CodeSet, code string) string {
	if code == "" {
		return ""
	}
	if lang != "id" {
		if s, ok := catalogue[lang][set.Field+"."+code]; ok {
			return s
		}
	}
	return set.Label(code)
}

// formatInt writes n with the language's thousands separator.
func formatInt(lang string, n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	sep := "."
	if lang == "en" {
		sep = ","
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// formatDate writes a YYYY-MM-DD date as "12 Mei 1980" (short month names); other text is returned as is.
func formatDate(lang, s string) string {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return s
	}
	return fmt.Sprintf("%d %s %d", t.Day(), text(lang, "bulan."+strconv.Itoa(int(t.Month()))), t.Year())
}

// formatTime writes an instant in Jakarta time.
func formatTime(lang string, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(wib)
	return formatDate(lang, t.Format(time.DateOnly)) + " " + t.Format("15:04") + " WIB"
}

// catalogue holds every UI string, per language. Keys are short Indonesian
// words; registry codes use "field.code".
var catalogue = map[string]map[string]string{
	"id": {
		"app":               "Jaring",
		"app_sub":           "Register sosial Kementerian Sosial",
		"lewati":            "Lewati ke isi",
		"menu":              "Menu utama",
		"beranda":           "Beranda",
		"wilayah":           "Wilayah",
		"wilayah_kol":       "Wilayah",
		"cari":              "Cari",
		"impor":             "Impor",
		"keluar":            "Keluar",
		"masuk":             "Masuk",
		"masuk_judul":       "Masuk ke Jaring",
		"pengguna":          "Pengguna",
		"nama_pengguna":     "Nama pengguna",
		"kata_sandi":        "Kata sandi",
		"salah_masuk":       "Nama pengguna atau kata sandi salah",
		"bahasa_lain":       "English",
		"bahasa_lain_kode":  "en",
		"jejak":             "Jejak wilayah",
		"indonesia":         "Indonesia",
		"keluarga":          "Keluarga",
		"jiwa":              "Jiwa",
		"jumlah":            "Jumlah",
		"total_keluarga":    "Keluarga aktif",
		"total_jiwa":        "Jiwa aktif",
		"per_provinsi":      "Per provinsi",
		"per_wilayah":       "Wilayah di bawahnya",
		"tidak_ada_wilayah": "Tidak ada wilayah di bawah wilayah ini.",
		"tidak_aktif":       "tidak aktif",
		"ekspor":            "Ekspor data wilayah ini",
		"ekspor_csv":        "Unduh CSV",
		"ekspor_xlsx":       "Unduh XLSX",
		"cari_di_sini":      "Cari orang di wilayah ini",
		"daftar_keluarga":   "Daftar keluarga",
		"no_kk":             "No. KK",
		"kepala":            "Kepala keluarga",
		"anggota":           "Anggota",
		"anggota_keluarga":  "Anggota keluarga",
		"alamat":            "Alamat",
		"status":            "Status",
		"belum_ada_kel":     "Belum ada keluarga terdaftar di wilayah ini.",
		"berikutnya":        "Halaman berikutnya",
		"pertama":           "Halaman pertama",
		"halaman":           "Halaman daftar",
		"judul_keluarga":    "Keluarga",
		"data_keluarga":     "Data keluarga",
		"data_orang":        "Data orang",
		"judul_orang":       "Data orang",
		"data_per":          "Data per tanggal %s.",
		"lihat_terkini":     "Lihat data terkini",
		"lihat_per":         "Lihat data per tanggal",
		"tampilkan":         "Tampilkan",
		"riwayat":           "Riwayat perubahan",
		"versi":             "Versi",
		"berlaku_sejak":     "Berlaku sejak",
		"berlaku_sampai":    "Berlaku sampai",
		"diubah_oleh":       "Diubah oleh",
		"alasan":            "Alasan",
		"yang_berubah":      "Yang berubah",
		"dibuat":            "Data dibuat",
		"tidak_berubah":     "Tidak ada kolom yang berubah",
		"kini":              "kini",
		"lihat_versi":       "Lihat versi %d",
		"kosong":            "—",
		"ya":                "Ya",
		"tidak":             "Tidak",
		"nama":              "Nama",
		"nik":               "NIK",
		"jenis_kelamin":     "Jenis kelamin",
		"tanggal_lahir":     "Tanggal lahir",
		"hubungan":          "Hubungan",
		"kode_wilayah":      "Kode wilayah",
		"lihat_keluarga":    "Lihat keluarga",
		"cari_judul":        "Cari orang",
		"cari_nama_bantu":   "Nama seperti di KTP. Ejaan lain juga ditemukan: \"moh\" menemukan Muhammad, \"oe\" menemukan \"u\".",
		"cari_wil_bantu":    "Kosongkan untuk seluruh Indonesia, atau isi kode provinsi, kabupaten/kota, kecamatan atau desa, misalnya 32.04.",
		"hasil":             "Hasil pencarian",
		"hasil_n":           "%s orang ditemukan.",
		"hasil_batas":       "Lebih dari %s orang cocok; hanya %[1]s yang pertama ditampilkan. Persempit dengan kode wilayah atau nama yang lebih lengkap.",
		"tidak_ditemukan":   "Tidak ada orang yang cocok.",
		"isi_nama":          "Isi nama yang dicari (paling banyak 200 karakter).",
		"kode_salah":        "Kode wilayah tidak dikenal. Contoh: 32, 32.04, 32.04.28 atau 32.04.28.2001.",
		"impor_judul":       "Impor data register",
		"impor_bantu":       "Berkas CSV atau XLSX dengan satu baris per orang, sesuai format impor. Keluarga yang salah ditolak seluruhnya dan dicatat dalam laporan.",
		"berkas":            "Berkas (.csv atau .xlsx)",
		"izinkan_pindah":    "Izinkan pindah KK (NIK yang terdaftar di keluarga lain dipindahkan ke keluarga dalam berkas)",
		"alasan_impor":      "Alasan perubahan",
		"alasan_bantu":      "Disimpan bersama setiap versi yang ditulis, misalnya \"hasil Musdes 2026\".",
		"mulai_impor":       "Mulai impor",
		"pilih_berkas":      "Pilih berkas CSV atau XLSX.",
		"jenis_berkas":      "Jenis berkas tidak didukung: gunakan .csv atau .xlsx.",
		"berkas_rusak":      "Berkas tidak dapat dibaca sebagai CSV atau XLSX.",
		"kind.provinsi":     "Provinsi",
		"kind.kabupaten":    "Kabupaten",
		"kind.kota":         "Kota",
		"kind.kecamatan":    "Kecamatan",
		"kind.kelurahan":    "Kelurahan",
		"kind.desa":         "Desa",
		"kind.desa_adat":    "Desa adat",
		"impor_status":      "Impor berkas",
		"nama_berkas":       "Berkas",
		"keadaan":           "Keadaan",
		"state.berjalan":    "Sedang berjalan",
		"state.selesai":     "Selesai",
		"state.gagal":       "Gagal",
		"baris":             "Baris dibaca",
		"keluarga_dibaca":   "Keluarga dibaca",
		"kemajuan":          "Kemajuan",
		"muat_ulang":        "Halaman ini dimuat ulang otomatis setiap 2 detik.",
		"muat_ulang_manual": "Muat ulang",
		"hasil_impor":       "Hasil impor",
		"keluarga_baru":     "Keluarga baru",
		"keluarga_berubah":  "Keluarga berubah",
		"keluarga_tetap":    "Keluarga tetap",
		"keluarga_ditolak":  "Keluarga ditolak",
		"jiwa_baru":         "Jiwa baru",
		"jiwa_berubah":      "Jiwa berubah",
		"jiwa_tetap":        "Jiwa tetap",
		"galat":             "Galat",
		"peringatan":        "Peringatan",
		"impor_gagal":       "Impor gagal dan berhenti. Lihat laporan untuk sebabnya, perbaiki berkas, lalu unggah lagi.",
		"berhenti":          "Berkas tidak terbaca sampai akhir: %s",
		"unduh_laporan":     "Unduh laporan galat (CSV)",
		"impor_lagi":        "Impor berkas lain",
		"mulai":             "Mulai",
		"selesai_pada":      "Selesai",
		"galat_judul":       "Terjadi kesalahan",
		"galat_400":         "Permintaan tidak valid",
		"galat_403":         "Akses ditolak",
		"galat_403_isi":     "Anda tidak boleh melakukan ini. Muat ulang halaman asal lalu coba lagi.",
		"galat_404":         "Halaman tidak ditemukan",
		"galat_404_isi":     "Halaman atau data yang Anda cari tidak ada.",
		"galat_409":         "Data sudah diubah",
		"galat_422":         "Data tidak valid",
		"galat_500":         "Terjadi kesalahan pada server",
		"galat_500_isi":     "Coba lagi sebentar lagi. Jika masih terjadi, hubungi pengelola sistem.",
		"ke_beranda":        "Kembali ke beranda",
		"bulan.1":           "Jan",
		"bulan.2":           "Feb",
		"bulan.3":           "Mar",
		"bulan.4":           "Apr",
		"bulan.5":           "Mei",
		"bulan.6":           "Jun",
		"bulan.7":           "Jul",
		"bulan.8":           "Agu",
		"bulan.9":           "Sep",
		"bulan.10":          "Okt",
		"bulan.11":          "Nov",
		"bulan.12":          "Des",
		// Field labels.
		"f.no_kk":               "No. KK",
		"f.kode_wilayah":        "Kode wilayah",
		"f.alamat":              "Alamat",
		"f.rt":                  "RT",
		"f.rw":                  "RW",
		"f.koordinat":           "Koordinat",
		"f.lantai":              "Lantai",
		"f.dinding":             "Dinding",
		"f.atap":                "Atap",
		"f.sumber_air":          "Sumber air minum",
		"f.sanitasi":            "Sanitasi",
		"f.listrik":             "Listrik",
		"f.bahan_bakar":         "Bahan bakar memasak",
		"f.status_rumah":        "Status rumah",
		"f.status_lahan":        "Status lahan",
		"f.luas_lantai":         "Luas lantai (m²)",
		"f.aset":                "Aset",
		"f.ternak":              "Ternak",
		"f.ternak_sapi":         "Sapi",
		"f.ternak_kerbau":       "Kerbau",
		"f.ternak_kambing":      "Kambing",
		"f.ternak_babi":         "Babi",
		"f.ternak_kuda":         "Kuda",
		"f.ternak_unggas":       "Unggas",
		"f.status":              "Status",
		"f.alasan_status":       "Alasan status",
		"f.keluarga":            "Keluarga",
		"f.nik":                 "NIK",
		"f.nama":                "Nama",
		"f.jenis_kelamin":       "Jenis kelamin",
		"f.tempat_lahir":        "Tempat lahir",
		"f.tanggal_lahir":       "Tanggal lahir",
		"f.hubungan":            "Hubungan dengan kepala keluarga",
		"f.status_kawin":        "Status perkawinan",
		"f.nama_ibu":            "Nama ibu kandung",
		"f.pendidikan":          "Pendidikan tertinggi",
		"f.jenjang_sekolah":     "Sedang sekolah di",
		"f.id_sekolah":          "NISN/ID sekolah",
		"f.pekerjaan":           "Pekerjaan",
		"f.disabilitas":         "Disabilitas",
		"f.tingkat_disabilitas": "Tingkat disabilitas",
		"f.hamil":               "Hamil",
		"f.ppks":                "PPKS",
	},
	"en": {
		"app":                   "Jaring",
		"app_sub":               "Social register of the Ministry of Social Affairs",
		"lewati":                "Skip to content",
		"menu":                  "Main menu",
		"beranda":               "Home",
		"wilayah":               "Regions",
		"wilayah_kol":           "Region",
		"cari":                  "Search",
		"impor":                 "Import",
		"keluar":                "Sign out",
		"masuk":                 "Sign in",
		"masuk_judul":           "Sign in to Jaring",
		"pengguna":              "User",
		"nama_pengguna":         "User name",
		"kata_sandi":            "Password",
		"salah_masuk":           "Wrong user name or password",
		"bahasa_lain":           "Bahasa Indonesia",
		"bahasa_lain_kode":      "id",
		"jejak":                 "Region trail",
		"indonesia":             "Indonesia",
		"keluarga":              "Families",
		"jiwa":                  "People",
		"jumlah":                "Total",
		"total_keluarga":        "Active families",
		"total_jiwa":            "Active people",
		"per_provinsi":          "By province",
		"per_wilayah":           "Regions below",
		"tidak_ada_wilayah":     "There are no regions below this one.",
		"tidak_aktif":           "inactive",
		"ekspor":                "Export this region's data",
		"ekspor_csv":            "Download CSV",
		"ekspor_xlsx":           "Download XLSX",
		"cari_di_sini":          "Search people in this region",
		"daftar_keluarga":       "Families",
		"no_kk":                 "Family card no.",
		"kepala":                "Head of family",
		"anggota":               "Members",
		"anggota_keluarga":      "Family members",
		"alamat":                "Address",
		"status":                "Status",
		"belum_ada_kel":         "No family is registered in this region yet.",
		"berikutnya":            "Next page",
		"pertama":               "First page",
		"halaman":               "List pages",
		"judul_keluarga":        "Family",
		"data_keluarga":         "Family data",
		"data_orang":            "Person data",
		"judul_orang":           "Person",
		"data_per":              "Data as of %s.",
		"lihat_terkini":         "See current data",
		"lihat_per":             "See data as of",
		"tampilkan":             "Show",
		"riwayat":               "Change history",
		"versi":                 "Version",
		"berlaku_sejak":         "Valid from",
		"berlaku_sampai":        "Valid to",
		"diubah_oleh":           "Changed by",
		"alasan":                "Reason",
		"yang_berubah":          "Changed",
		"dibuat":                "Created",
		"tidak_berubah":         "No field changed",
		"kini":                  "now",
		"lihat_versi":           "See version %d",
		"kosong":                "—",
		"ya":                    "Yes",
		"tidak":                 "No",
		"nama":                  "Name",
		"nik":                   "NIK",
		"jenis_kelamin":         "Sex",
		"tanggal_lahir":         "Date of birth",
		"hubungan":              "Relation",
		"kode_wilayah":          "Region code",
		"lihat_keluarga":        "See family",
		"cari_judul":            "Search people",
		"cari_nama_bantu":       "Name as on the ID card. Other spellings are found too: \"moh\" finds Muhammad, \"oe\" finds \"u\".",
		"cari_wil_bantu":        "Leave empty for all of Indonesia, or give a province, regency/city, district or village code, for example 32.04.",
		"hasil":                 "Search results",
		"hasil_n":               "%s people found.",
		"hasil_batas":           "More than %s people match; only the first %[1]s are shown. Narrow the search with a region code or a fuller name.",
		"tidak_ditemukan":       "Nobody matches.",
		"isi_nama":              "Type the name to search for (at most 200 characters).",
		"kode_salah":            "Unknown region code. Examples: 32, 32.04, 32.04.28 or 32.04.28.2001.",
		"impor_judul":           "Import register data",
		"impor_bantu":           "A CSV or XLSX file with one row per person, in the import format. A family with an error is rejected whole and listed in the report.",
		"berkas":                "File (.csv or .xlsx)",
		"izinkan_pindah":        "Allow moving between family cards (a NIK registered in another family moves to the family in the file)",
		"alasan_impor":          "Reason for the change",
		"alasan_bantu":          "Kept with every version written, for example \"village meeting 2026\".",
		"mulai_impor":           "Start import",
		"pilih_berkas":          "Choose a CSV or XLSX file.",
		"jenis_berkas":          "File type not supported: use .csv or .xlsx.",
		"berkas_rusak":          "The file cannot be read as CSV or XLSX.",
		"kind.provinsi":         "Province",
		"kind.kabupaten":        "Regency",
		"kind.kota":             "City",
		"kind.kecamatan":        "District",
		"kind.kelurahan":        "Urban village (kelurahan)",
		"kind.desa":             "Village (desa)",
		"kind.desa_adat":        "Customary village",
		"impor_status":          "File import",
		"nama_berkas":           "File",
		"keadaan":               "State",
		"state.berjalan":        "Running",
		"state.selesai":         "Finished",
		"state.gagal":           "Failed",
		"baris":                 "Rows read",
		"keluarga_dibaca":       "Families read",
		"kemajuan":              "Progress",
		"muat_ulang":            "This page reloads itself every 2 seconds.",
		"muat_ulang_manual":     "Reload",
		"hasil_impor":           "Import result",
		"keluarga_baru":         "New families",
		"keluarga_berubah":      "Changed families",
		"keluarga_tetap":        "Unchanged families",
		"keluarga_ditolak":      "Rejected families",
		"jiwa_baru":             "New people",
		"jiwa_berubah":          "Changed people",
		"jiwa_tetap":            "Unchanged people",
		"galat":                 "Errors",
		"peringatan":            "Warnings",
		"impor_gagal":           "The import failed and stopped. See the report for the cause, fix the file and upload it again.",
		"berhenti":              "The file could not be read to its end: %s",
		"unduh_laporan":         "Download the error report (CSV)",
		"impor_lagi":            "Import another file",
		"mulai":                 "Started",
		"selesai_pada":          "Finished",
		"galat_judul":           "Something went wrong",
		"galat_400":             "Bad request",
		"galat_403":             "Access denied",
		"galat_403_isi":         "You may not do this. Reload the page you came from and try again.",
		"galat_404":             "Page not found",
		"galat_404_isi":         "The page or record you are looking for does not exist.",
		"galat_409":             "The data has changed",
		"galat_422":             "Invalid data",
		"galat_500":             "Server error",
		"galat_500_isi":         "Try again in a moment. If it keeps happening, contact the system administrator.",
		"ke_beranda":            "Back to home",
		"bulan.1":               "Jan",
		"bulan.2":               "Feb",
		"bulan.3":               "Mar",
		"bulan.4":               "Apr",
		"bulan.5":               "May",
		"bulan.6":               "Jun",
		"bulan.7":               "Jul",
		"bulan.8":               "Aug",
		"bulan.9":               "Sep",
		"bulan.10":              "Oct",
		"bulan.11":              "Nov",
		"bulan.12":              "Dec",
		"f.no_kk":               "Family card no.",
		"f.kode_wilayah":        "Region code",
		"f.alamat":              "Address",
		"f.rt":                  "RT (neighbourhood)",
		"f.rw":                  "RW (hamlet)",
		"f.koordinat":           "Coordinates",
		"f.lantai":              "Floor",
		"f.dinding":             "Walls",
		"f.atap":                "Roof",
		"f.sumber_air":          "Drinking water",
		"f.sanitasi":            "Toilet",
		"f.listrik":             "Electricity",
		"f.bahan_bakar":         "Cooking fuel",
		"f.status_rumah":        "House",
		"f.status_lahan":        "Land",
		"f.luas_lantai":         "Floor area (m²)",
		"f.aset":                "Assets",
		"f.ternak":              "Livestock",
		"f.ternak_sapi":         "Cattle",
		"f.ternak_kerbau":       "Buffalo",
		"f.ternak_kambing":      "Goats",
		"f.ternak_babi":         "Pigs",
		"f.ternak_kuda":         "Horses",
		"f.ternak_unggas":       "Poultry",
		"f.status":              "Status",
		"f.alasan_status":       "Status reason",
		"f.keluarga":            "Family",
		"f.nik":                 "NIK",
		"f.nama":                "Name",
		"f.jenis_kelamin":       "Sex",
		"f.tempat_lahir":        "Place of birth",
		"f.tanggal_lahir":       "Date of birth",
		"f.hubungan":            "Relation to the head",
		"f.status_kawin":        "Marital status",
		"f.nama_ibu":            "Mother's maiden name",
		"f.pendidikan":          "Highest education",
		"f.jenjang_sekolah":     "Enrolled in",
		"f.id_sekolah":          "Student ID",
		"f.pekerjaan":           "Occupation",
		"f.disabilitas":         "Disability",
		"f.tingkat_disabilitas": "Disability severity",
		"f.hamil":               "Pregnant",
		"f.ppks":                "PPKS",
		// Code labels translated here; other codes show the register's Indonesian label.
		"status.aktif":             "Active",
		"status.meninggal":         "Deceased",
		"status.pindah":            "Moved",
		"status.ditidurkan":        "Deactivated",
		"jenis_kelamin.L":          "Male",
		"jenis_kelamin.P":          "Female",
		"hubungan.kepala_keluarga": "Head of family",
		"hubungan.istri":           "Wife",
		"hubungan.suami":           "Husband",
		"hubungan.anak":            "Child",
		"hubungan.menantu":         "Child-in-law",
		"hubungan.cucu":            "Grandchild",
		"hubungan.orang_tua":       "Parent",
		"hubungan.mertua":          "Parent-in-law",
		"hubungan.famili_lain":     "Other relative",
		"hubungan.lainnya":         "Other",
		"status_kawin.belum_kawin": "Single",
		"status_kawin.kawin":       "Married",
		"status_kawin.cerai_hidup": "Divorced",
		"status_kawin.cerai_mati":  "Widowed",
	},
}
