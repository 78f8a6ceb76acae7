package e2e

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kemensos/jaring/internal/public"
)

// The handler of the complaint flow: the regency's social office, whose
// role needs no second factor.
const (
	handlerUser = "dinsos-e2e"
	handlerPass = "kata-sandi-dinsos-e2e-456"
)

const (
	complaintText  = "Bantuan PKH triwulan pertama belum kami terima sampai sekarang, padahal tahun lalu selalu cair."
	additionText   = "Tambahan: ketua RT juga belum menerima pemberitahuan apa pun tentang pencairan."
	resolutionText = "Dana sudah disalurkan ulang melalui kantor pos pada 20 Maret; silakan diambil dengan KTP."
)

// codeRe and secretRe are the receipt's tracking code and secret.
var (
	codeRe   = regexp.MustCompile(`^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$`)
	secretRe = regexp.MustCompile(`^[2-9A-HJKMNP-Z]{5}(-[2-9A-HJKMNP-Z]{5}){4}$`)
)

// complaintContinue is the complaint form's Continue button: the form
// keeps it with the script too, and the flows use it.
const complaintContinue = `button[name=langkah]`

// readReceipt reads the tracking code and the secret a receipt shows.
func readReceipt(tb *tab) []string {
	tb.t.Helper()
	shown := run(tb, "read the code and the secret",
		chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("strong.secret")).map(e => e.textContent.trim())`))
	if len(shown) != 2 || !codeRe.MatchString(shown[0]) || !secretRe.MatchString(shown[1]) {
		tb.t.Fatalf("receipt shows %q, want a tracking code and a secret", shown)
	}
	return shown
}

// complaintWithoutScript files an anonymous complaint in a browser that
// runs no JavaScript: the regions come with Continue, and the challenge
// is passed by waiting public.NoScriptWait after the form was served; the
// receipt then shows a tracking code and a secret that follow the case.
// The photo chosen before the regions is kept through the Continue steps
// and filed without being chosen again.
func complaintWithoutScript(t *testing.T, s *site, tb *tab) {
	tb.openWithoutScript("open the complaint form", s.URL+"/pengaduan", "provinsi")
	tb.do("choose a photo first", chromedp.SetUploadFiles(chromedp.ID("berkas"), []string{writePNG(t)}))
	chooseRegions(tb, s.operatorVillage, false, complaintContinue)
	if main := tb.text(`main`); !strings.Contains(main, "1 berkas dari pengiriman sebelumnya tersimpan") {
		t.Errorf("after the steps the form does not say the photo is kept:\n%s", main)
	}
	served := time.Now()
	const text = "Petugas meminta uang Rp50.000 saat pencairan BPNT di balai desa, tanpa tanda terima."
	tb.do("fill the report anonymously",
		chromedp.SetValue(chromedp.ID("kategori"), "pungli"),
		chromedp.SendKeys(chromedp.ID("uraian"), text),
		chromedp.Click(chromedp.ID("anonim")),
	)
	tb.shot("tanpa-js-terisi")
	time.Sleep(time.Until(served.Add(public.NoScriptWait + time.Second)))
	tb.do("send the complaint",
		chromedp.Click(chromedp.CSS(`form[action="/pengaduan"] > p > button[type=submit]:not([name])`)),
		chromedp.WaitVisible(chromedp.CSS(`strong.secret`)))
	tb.shot("tanpa-js-tanda-terima")
	shown := readReceipt(tb)
	tb.do("open the follow page", chromedp.Navigate(s.URL+"/pengaduan/lacak"), chromedp.WaitVisible(chromedp.ID("kode")))
	tb.do("follow the case",
		chromedp.SendKeys(chromedp.ID("kode"), shown[0]),
		chromedp.SendKeys(chromedp.ID("rahasia"), shown[1]),
		chromedp.Click(chromedp.CSS(`form[action="/pengaduan/lacak"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`dd.secret`)))
	tb.shot("tanpa-js-lacak")
	if main := tb.text(`main`); !strings.Contains(main, text) || !strings.Contains(main, "Diterima") || !strings.Contains(main, "1 berkas") {
		t.Errorf("follow page lacks the report, its status or the kept photo:\n%s", main)
	}
}

// complaintFlow files a complaint with a photo as evidence through
// /pengaduan (regions chosen level by level with Continue), follows it
// with the code and secret shown once, adds information, sees that a
// wrong secret gets the same answer as an unknown code, has the
// regency's social office record a resolution in the back office, and
// reads the resolution as the filer.
func complaintFlow(t *testing.T, s *site, tb *tab) {
	village := s.operatorVillage
	photo := writePNG(t)

	tb.do("open the complaint form", chromedp.Navigate(s.URL+"/pengaduan"), chromedp.WaitVisible(chromedp.ID("provinsi")))
	tb.shot("formulir")
	if got := run(tb, "read the language", chromedp.AttributeValue(chromedp.CSS("html"), "lang")); got.Value != "id" {
		t.Errorf("complaint form language %q, want id", got.Value)
	}
	chooseRegions(tb, village, false, complaintContinue)
	tb.do("fill the report",
		chromedp.SetValue(chromedp.ID("kategori"), "tidak_diterima"),
		chromedp.SendKeys(chromedp.ID("uraian"), complaintText),
		chromedp.SetUploadFiles(chromedp.ID("berkas"), []string{photo}),
		chromedp.SendKeys(chromedp.ID("nama"), "Siti Pelapor"),
		chromedp.SendKeys(chromedp.ID("telepon"), "081234567890"),
	)
	tb.shot("terisi")
	// The page's script solves the challenge (the no-script wait has a
	// test of its own in internal/complaint/publicweb).
	if js := run(tb, "read the root's class", chromedp.AttributeValue(chromedp.CSS("html"), "class")); !strings.Contains(js.Value, "js") {
		t.Errorf("the complaint form's script did not run")
	}
	tb.do("send the complaint",
		chromedp.Click(chromedp.CSS(`form[action="/pengaduan"] > p > button[type=submit]:not([name])`)),
		chromedp.WaitVisible(chromedp.CSS(`strong.secret`)))
	tb.shot("tanda-terima")
	shown := readReceipt(tb)
	code, secret := shown[0], shown[1]

	// Follow the case with both.
	follow := func(step, code, secret, wait string) {
		tb.t.Helper()
		tb.do("open the follow page", chromedp.Navigate(s.URL+"/pengaduan/lacak"), chromedp.WaitVisible(chromedp.ID("kode")))
		tb.do(step,
			chromedp.SendKeys(chromedp.ID("kode"), code),
			chromedp.SendKeys(chromedp.ID("rahasia"), secret),
			chromedp.Click(chromedp.CSS(`form[action="/pengaduan/lacak"] button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(wait)))
	}
	follow("follow the case", code, secret, `dd.secret`)
	tb.shot("lacak")
	if got := tb.text(`dd.secret`); got != code {
		t.Errorf("follow page shows code %q, want %q", got, code)
	}
	main := tb.text(`main`)
	for _, want := range []string{"Diterima", "Bantuan tidak diterima", complaintText, "1 berkas"} {
		if !strings.Contains(main, want) {
			t.Errorf("follow page lacks %q:\n%s", want, main)
		}
	}
	// The secret rides in the add form's hidden field (there is no
	// session), never in the visible page; the contact is nowhere.
	if strings.Contains(main, secret) {
		t.Errorf("follow page shows the secret")
	}
	tb.lacks("follow page", "081234567890", "Siti Pelapor")

	tb.do("add information",
		chromedp.SendKeys(chromedp.ID("informasi"), additionText),
		chromedp.Click(chromedp.CSS(`form[action="/pengaduan/tambah"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`div.note[role=status]`)))
	tb.shot("informasi")
	if main := tb.text(`main`); !strings.Contains(main, "Informasi Anda sudah ditambahkan") || !strings.Contains(main, additionText) {
		t.Errorf("after adding, the page lacks the confirmation or the text:\n%s", main)
	}

	// A wrong secret and an unknown code get one and the same answer.
	wrong := flipLast(secret)
	follow("follow with a wrong secret", code, wrong, `div.alert[role=alert]`)
	tb.shot("rahasia-salah")
	wrongAnswer := answerWithoutCode(tb, code)
	unknown := flipLast(code)
	follow("follow an unknown code", unknown, secret, `div.alert[role=alert]`)
	tb.shot("kode-tak-dikenal")
	unknownAnswer := answerWithoutCode(tb, unknown)
	if !strings.Contains(wrongAnswer, "Kode pelacakan atau kode rahasia tidak cocok") {
		t.Errorf("wrong secret: answer lacks the refusal:\n%s", wrongAnswer)
	}
	if wrongAnswer != unknownAnswer {
		t.Errorf("a wrong secret and an unknown code are told apart:\n%s\n---\n%s", wrongAnswer, unknownAnswer)
	}
	tb.lacks("refusal", complaintText, additionText)

	// The regency's social office resolves the case in the back office.
	handleInBackOffice(t, s, tb.browser.tab(t, tb.name+"-kantor"), code)

	follow("follow the resolved case", code, secret, `dd.secret`)
	tb.shot("selesai")
	main = tb.text(`main`)
	for _, want := range []string{"Selesai", "Penyelesaian", resolutionText} {
		if !strings.Contains(main, want) {
			t.Errorf("resolved case: the follow page lacks %q:\n%s", want, main)
		}
	}
	tb.do("see no more additions", chromedp.WaitNotPresent(chromedp.CSS(`form[action="/pengaduan/tambah"]`)))
}

// handleInBackOffice signs the regency's handler in, finds the case by its
// code in the queue and records its resolution.
func handleInBackOffice(t *testing.T, s *site, tb *tab, code string) {
	tb.do("open the sign-in page", chromedp.Navigate(s.URL+"/masuk"), chromedp.WaitVisible(chromedp.ID("nama_pengguna")))
	tb.do("sign in as the handler",
		chromedp.SendKeys(chromedp.ID("nama_pengguna"), handlerUser),
		chromedp.SendKeys(chromedp.ID("kata_sandi"), handlerPass),
		chromedp.Click(chromedp.CSS(`form[action="/masuk"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/keluar"]`)))
	tb.do("open the complaints queue", chromedp.Navigate(s.URL+"/admin/pengaduan"), chromedp.WaitVisible(chromedp.ID("daftar")))
	tb.shot("antrean")
	link := `td.code a`
	if got := tb.text(link); got != code {
		t.Fatalf("the queue's first case is %q, want %q", got, code)
	}
	tb.do("open the case", chromedp.Click(chromedp.CSS(link)), chromedp.WaitVisible(chromedp.ID("riwayat")))
	tb.shot("kasus")
	main := tb.text(`main`)
	for _, want := range []string{complaintText, additionText, "Siti Pelapor", "bukti-1.png"} {
		if !strings.Contains(main, want) {
			t.Errorf("back-office case lacks %q", want)
		}
	}
	tb.do("record the resolution",
		chromedp.Click(chromedp.ID("jenis-status")),
		chromedp.SetValue(chromedp.ID("status"), "selesai"),
		chromedp.SendKeys(chromedp.ID("teks"), resolutionText),
		chromedp.Click(chromedp.CSS(`form[action$="/tindakan"] button[type=submit]`)),
		// A closed case takes no more actions: the form is gone once saved.
		chromedp.WaitNotPresent(chromedp.CSS(`form[action$="/tindakan"]`)),
		chromedp.WaitVisible(chromedp.ID("riwayat")))
	tb.shot("diselesaikan")
	if st := tb.text(`dd[role=status]`); !strings.Contains(st, "Selesai") {
		t.Errorf("after the resolution the case's status is %q, want Selesai", st)
	}
}

// answerWithoutCode is the follow page's main part as text, with the
// typed code blanked out: what tells the answers apart, if anything.
func answerWithoutCode(tb *tab, code string) string {
	tb.t.Helper()
	h := run(tb, "read the answer", chromedp.InnerHTML(chromedp.CSS(`main`)))
	return strings.ReplaceAll(h, code, "KODE")
}

// flipLast changes the last symbol of a code or secret to another symbol
// of the alphabet.
func flipLast(s string) string {
	last := s[len(s)-1]
	repl := byte('2')
	if last == '2' {
		repl = '3'
	}
	return s[:len(s)-1] + string(repl)
}
