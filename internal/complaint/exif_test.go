package complaint_test

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"

	"github.com/kemensos/jaring/internal/complaint"
)

var (
	red  = color.RGBA{0xe0, 0x10, 0x10, 0xff}
	blue = color.RGBA{0x10, 0x10, 0xe0, 0xff}
)

// halves is a 40×20 picture, red on the left half and blue on the right,
// with a green square in the top-left corner.
func halves() *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, 40, 20))
	for y := range 20 {
		for x := range 40 {
			c := red
			if x >= 20 {
				c = blue
			}
			if x < 8 && y < 8 {
				c = color.RGBA{0x10, 0xe0, 0x10, 0xff}
			}
			img.Set(x, y, c)
		}
	}
	return img
}

// tiffWithOrientation builds a TIFF structure whose IFD0 holds one entry:
// Orientation (0x0112, SHORT, 1 value) = o, in the byte order bo.
func tiffWithOrientation(bo binary.ByteOrder, o uint16) []byte {
	t := make([]byte, 8+2+12+4)
	if bo == binary.LittleEndian {
		copy(t, "II")
	} else {
		copy(t, "MM")
	}
	bo.PutUint16(t[2:], 42)
	bo.PutUint32(t[4:], 8)
	bo.PutUint16(t[8:], 1)
	e := t[10:]
	bo.PutUint16(e[0:], 0x0112)
	bo.PutUint16(e[2:], 3)
	bo.PutUint32(e[4:], 1)
	bo.PutUint16(e[8:], o)
	return t
}

// jpegWithOrientation encodes halves() as a JPEG with an APP1 Exif
// segment right after the SOI marker, as cameras write it.
func jpegWithOrientation(t *testing.T, bo binary.ByteOrder, o uint16) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, halves(), &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	j := b.Bytes()
	payload := append([]byte("Exif\x00\x00"), tiffWithOrientation(bo, o)...)
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
	out := append(append(append([]byte{}, j[:2]...), seg...), payload...)
	return append(out, j[2:]...)
}

// pngWithOrientation encodes halves() as a PNG with an eXIf chunk before
// the image data.
func pngWithOrientation(t *testing.T, o uint16) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, halves()); err != nil {
		t.Fatal(err)
	}
	p := b.Bytes()
	data := tiffWithOrientation(binary.BigEndian, o)
	chunk := make([]byte, 8, 12+len(data))
	binary.BigEndian.PutUint32(chunk, uint32(len(data)))
	copy(chunk[4:], "eXIf")
	chunk = append(chunk, data...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
	ihdrEnd := 8 + 8 + 13 + 4 // signature, IHDR length and type, IHDR data, CRC
	out := append(append([]byte{}, p[:ihdrEnd]...), chunk...)
	return append(out, p[ihdrEnd:]...)
}

// near reports whether c is about want (JPEG is lossy).
func near(c color.Color, want color.RGBA) bool {
	r, g, b, _ := c.RGBA()
	d := func(a uint32, w uint8) bool { x := int(a>>8) - int(w); return x > -48 && x < 48 }
	return d(r, want.R) && d(g, want.G) && d(b, want.B)
}

// TestEvidenceOrientation: a phone photo stored sideways (EXIF
// orientation 6: turn 90° clockwise to view) is stored upright, without
// its EXIF block; other orientations and both byte orders likewise.
func TestEvidenceOrientation(t *testing.T) {
	green := color.RGBA{0x10, 0xe0, 0x10, 0xff}
	for _, c := range []struct {
		name       string
		raw        []byte
		w, h       int
		top, below color.RGBA // at (w/4, h/4)… and at (3w/4, 3h/4)
		corner     image.Point
	}{
		// Turned clockwise: the left (red) half on top, the green corner top right.
		{"jpeg-6-MM", jpegWithOrientation(t, binary.BigEndian, 6), 20, 40, red, blue, image.Pt(16, 3)},
		{"jpeg-6-II", jpegWithOrientation(t, binary.LittleEndian, 6), 20, 40, red, blue, image.Pt(16, 3)},
		// Counter-clockwise: the red half at the bottom, the corner bottom left.
		{"jpeg-8", jpegWithOrientation(t, binary.BigEndian, 8), 20, 40, blue, red, image.Pt(3, 36)},
		// Half a turn: red on the right, the corner bottom right.
		{"jpeg-3", jpegWithOrientation(t, binary.BigEndian, 3), 40, 20, blue, red, image.Pt(36, 16)},
		// Mirrored: red on the right, the corner top right.
		{"jpeg-2", jpegWithOrientation(t, binary.BigEndian, 2), 40, 20, blue, red, image.Pt(36, 3)},
		// As stored.
		{"jpeg-1", jpegWithOrientation(t, binary.BigEndian, 1), 40, 20, red, blue, image.Pt(3, 3)},
		{"png-6", pngWithOrientation(t, 6), 20, 40, red, blue, image.Pt(16, 3)},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, _, err := image.Decode(bytes.NewReader(c.raw)); err != nil {
				t.Fatalf("test image does not decode: %v", err)
			}
			ev, err := complaint.Sanitize(1, c.raw)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(ev.Data, []byte("Exif")) || bytes.Contains(ev.Data, []byte("eXIf")) || bytes.Contains(ev.Data, []byte("MM\x00\x2a")) {
				t.Error("the stored image keeps its EXIF block")
			}
			img, _, err := image.Decode(bytes.NewReader(ev.Data))
			if err != nil {
				t.Fatal(err)
			}
			if b := img.Bounds(); b.Dx() != c.w || b.Dy() != c.h {
				t.Fatalf("stored %d×%d, want %d×%d", b.Dx(), b.Dy(), c.w, c.h)
			}
			// The first half (top, or left when not turned) and the second.
			first, second := image.Pt(c.w/4, c.h/4+c.h/8), image.Pt(3*c.w/4, 3*c.h/4)
			if c.w > c.h {
				first, second = image.Pt(c.w/4, 3*c.h/4), image.Pt(3*c.w/4, 3*c.h/4)
			}
			if !near(img.At(first.X, first.Y), c.top) || !near(img.At(second.X, second.Y), c.below) {
				t.Errorf("colours at %v and %v: %v %v", first, second, img.At(first.X, first.Y), img.At(second.X, second.Y))
			}
			if !near(img.At(c.corner.X, c.corner.Y), green) {
				t.Errorf("the green corner is not at %v: %v", c.corner, img.At(c.corner.X, c.corner.Y))
			}
		})
	}
}

// TestEvidenceBadEXIF: a broken EXIF block (cut anywhere, an IFD offset
// past its end, a wrong type) leaves the image as stored and refuses
// nothing.
func TestEvidenceBadEXIF(t *testing.T) {
	good := tiffWithOrientation(binary.BigEndian, 6)
	var b bytes.Buffer
	if err := jpeg.Encode(&b, halves(), nil); err != nil {
		t.Fatal(err)
	}
	j := b.Bytes()
	wrap := func(tiff []byte) []byte {
		payload := append([]byte("Exif\x00\x00"), tiff...)
		seg := []byte{0xFF, 0xE1, 0, 0}
		binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
		out := append(append(append([]byte{}, j[:2]...), seg...), payload...)
		return append(out, j[2:]...)
	}
	var cases [][]byte
	for n := range 8 + 2 + 10 { // cut anywhere before the value's end
		cases = append(cases, wrap(good[:n]))
	}
	farIFD := append([]byte{}, good...)
	binary.BigEndian.PutUint32(farIFD[4:], 1<<30)
	wrongType := append([]byte{}, good...)
	binary.BigEndian.PutUint16(wrongType[12:], 4) // LONG
	outOfRange := tiffWithOrientation(binary.BigEndian, 9)
	cases = append(cases, wrap(farIFD), wrap(wrongType), wrap(outOfRange))
	for i, raw := range cases {
		ev, err := complaint.Sanitize(1, raw)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		img, err := jpeg.Decode(bytes.NewReader(ev.Data))
		if err != nil || img.Bounds().Dx() != 40 || img.Bounds().Dy() != 20 {
			t.Errorf("case %d: stored %v %v, want 40×20 as stored", i, img.Bounds(), err)
		}
	}
}
