package public

// The complaint and whistleblowing pages (/pengaduan, /pengaduan/wbs,
// /pengaduan/lacak) are served by internal/complaint/publicweb, in this
// site's look (StylesheetURL); the site lists them in its menu and on its
// home page.
func init() {
	addMenu(menuItem{Order: 20, Key: "pengaduan", Href: "/pengaduan", Desc: "pengaduan_ringkas"})
	addText(map[string][2]string{
		"pengaduan":         {"Pengaduan", "Complaints"},
		"pengaduan_ringkas": {"Laporkan bantuan yang dipotong, tidak diterima atau salah sasaran, dan ikuti penanganannya.", "Report aid that was cut, not received or wrongly targeted, and follow how it is handled."},
	})
}

// StylesheetURL is the versioned URL of the public site's stylesheet, for
// the public pages served by other packages.
func StylesheetURL() string { return staticURL("publik.css") }
