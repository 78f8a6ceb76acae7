package web

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/boombuler/barcode/qr"
)

// TestQRSVG checks the drawn QR code module by module against the encoder's.
func TestQRSVG(t *testing.T) {
	url := "otpauth://totp/Jaring:pengguna.uji?algorithm=SHA1&digits=6&issuer=Jaring&period=30&secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	svg := string(qrSVG(url, `kode "QR"`))
	if !strings.HasPrefix(svg, `<svg class="qr"`) || !strings.Contains(svg, `aria-label="kode &#34;QR&#34;"`) {
		t.Fatalf("svg: %.200s", svg)
	}
	want, err := qr.Encode(url, qr.M, qr.Auto)
	if err != nil {
		t.Fatal(err)
	}
	n := want.Bounds().Dx()
	got := map[[2]int]bool{}
	for _, m := range regexp.MustCompile(`M(\d+) (\d+)h(\d+)v1h-\d+z`).FindAllStringSubmatch(svg, -1) {
		x, _ := strconv.Atoi(m[1])
		y, _ := strconv.Atoi(m[2])
		w, _ := strconv.Atoi(m[3])
		for i := 0; i < w; i++ {
			got[[2]int{x + i, y}] = true
		}
	}
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			r, _, _, _ := want.At(x, y).RGBA()
			if dark := r < 0x8000; dark != got[[2]int{x, y}] {
				t.Fatalf("module %d,%d: drawn %v, want %v", x, y, got[[2]int{x, y}], dark)
			}
		}
	}
	if !strings.Contains(svg, fmt.Sprintf(`viewBox="-4 -4 %d %d"`, n+8, n+8)) {
		t.Errorf("viewBox for %d modules: %.200s", n, svg)
	}
	if len(svg) > 8<<10 {
		t.Errorf("svg weighs %d bytes", len(svg))
	}
}
