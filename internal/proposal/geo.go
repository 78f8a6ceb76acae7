package proposal

import (
	"fmt"
	"math"
	"strings"
)

// box is a rectangle of latitude and longitude in degrees.
type box struct{ latMin, latMax, lonMin, lonMax float64 }

// provinceBoxes bound each province's land and islands, rounded outwards
// from the published extents of its regencies (docs/proposals.md). The
// region list has no boundaries, so a sanggah's coordinates are checked
// against the box of the village's province, widened by boxMargin: a
// point in the wrong province of the same island may pass, a point on
// another island does not.
var provinceBoxes = map[string]box{
	"11": {1.9, 6.1, 94.9, 98.3},      // Aceh
	"12": {-1.0, 4.3, 97.0, 100.5},    // Sumatera Utara (with Nias)
	"13": {-3.4, 1.0, 98.5, 101.9},    // Sumatera Barat (with Mentawai)
	"14": {-1.2, 2.5, 100.0, 103.9},   // Riau
	"15": {-2.8, -0.7, 101.1, 104.6},  // Jambi
	"16": {-5.0, -1.5, 102.0, 106.3},  // Sumatera Selatan
	"17": {-5.5, -2.2, 101.0, 104.0},  // Bengkulu (with Enggano)
	"18": {-6.2, -3.7, 103.5, 106.0},  // Lampung
	"19": {-3.5, -1.4, 105.0, 108.9},  // Kepulauan Bangka Belitung
	"21": {-1.3, 4.8, 103.2, 109.2},   // Kepulauan Riau (with Natuna)
	"31": {-6.4, -5.1, 106.3, 107.0},  // DKI Jakarta (with Kepulauan Seribu)
	"32": {-7.9, -5.8, 106.3, 108.9},  // Jawa Barat
	"33": {-8.3, -5.7, 108.5, 111.8},  // Jawa Tengah (with Karimunjawa)
	"34": {-8.3, -7.5, 110.0, 110.9},  // DI Yogyakarta
	"35": {-8.8, -5.0, 110.8, 116.3},  // Jawa Timur (with Madura, Bawean, Kangean)
	"36": {-7.1, -5.8, 105.0, 106.8},  // Banten
	"51": {-8.9, -8.0, 114.4, 115.8},  // Bali
	"52": {-9.2, -8.0, 115.8, 119.4},  // Nusa Tenggara Barat
	"53": {-11.1, -8.0, 118.9, 125.3}, // Nusa Tenggara Timur
	"61": {-3.1, 2.1, 108.0, 114.3},   // Kalimantan Barat
	"62": {-3.6, 0.8, 110.7, 115.9},   // Kalimantan Tengah
	"63": {-4.2, -1.3, 114.3, 116.6},  // Kalimantan Selatan
	"64": {-2.6, 2.6, 113.8, 119.1},   // Kalimantan Timur
	"65": {1.1, 4.4, 114.6, 118.1},    // Kalimantan Utara
	"71": {0.3, 5.6, 123.0, 127.2},    // Sulawesi Utara (with Sangihe, Talaud)
	"72": {-3.7, 1.4, 119.4, 124.3},   // Sulawesi Tengah
	"73": {-7.8, -1.9, 117.0, 122.0},  // Sulawesi Selatan (with Selayar)
	"74": {-6.3, -2.8, 120.8, 124.6},  // Sulawesi Tenggara
	"75": {0.3, 1.1, 121.1, 123.6},    // Gorontalo
	"76": {-3.6, -0.8, 118.7, 119.9},  // Sulawesi Barat
	"81": {-8.4, -2.7, 125.6, 135.0},  // Maluku
	"82": {-2.5, 2.7, 124.2, 129.7},   // Maluku Utara
	"91": {-3.5, -0.5, 134.9, 141.1},  // Papua
	"92": {-4.5, -0.2, 131.5, 135.3},  // Papua Barat
	"93": {-9.2, -4.0, 137.5, 141.1},  // Papua Selatan
	"94": {-5.2, -2.5, 134.9, 138.8},  // Papua Tengah
	"95": {-5.6, -2.7, 137.7, 141.1},  // Papua Pegunungan
	"96": {-2.3, 1.1, 129.3, 133.0},   // Papua Barat Daya (with Raja Ampat)
}

// boxMargin widens every box, in degrees (about 33 km).
const boxMargin = 0.3

// nearKm is how far a sanggah's point may be from the family's registered
// coordinates, when the register has them.
const nearKm = 30

// CheckPoint reports whether a point is plausible for a village: inside
// its province's box and, when the family's own coordinates are known,
// within nearKm of them. The error names the field.
func CheckPoint(village string, lat, lon float64, famLat, famLon *float64) error {
	if math.IsNaN(lat) || math.IsNaN(lon) || lat < -90 || lat > 90 || lon < -180 || lon > 180 {
		return invalid("lokasi", "koordinat GPS tidak valid")
	}
	prov, _, _ := strings.Cut(village, ".")
	b, ok := provinceBoxes[prov]
	if !ok {
		return invalid("lokasi", "provinsi desa tidak dikenal")
	}
	if lat < b.latMin-boxMargin || lat > b.latMax+boxMargin || lon < b.lonMin-boxMargin || lon > b.lonMax+boxMargin {
		return invalid("lokasi", fmt.Sprintf("koordinat %.5f, %.5f berada di luar provinsi desa ini (pulau lain?)", lat, lon))
	}
	if famLat != nil && famLon != nil {
		if d := distanceKm(lat, lon, *famLat, *famLon); d > nearKm {
			return invalid("lokasi", fmt.Sprintf("koordinat berjarak %.0f km dari alamat keluarga di register (paling jauh %d km)", d, nearKm))
		}
	}
	return nil
}

// distanceKm is the great-circle distance between two points.
func distanceKm(lat1, lon1, lat2, lon2 float64) float64 {
	const r = 6371.0
	p1, p2 := lat1*math.Pi/180, lat2*math.Pi/180
	dp, dl := p2-p1, (lon2-lon1)*math.Pi/180
	a := math.Sin(dp/2)*math.Sin(dp/2) + math.Cos(p1)*math.Cos(p2)*math.Sin(dl/2)*math.Sin(dl/2)
	return 2 * r * math.Asin(math.Sqrt(a))
}
