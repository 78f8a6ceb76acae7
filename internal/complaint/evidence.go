package complaint

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"net/http"

	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/exif"
)

// Evidence limits (docs/complaints.md).
const (
	// MaxFiles is how many files one filing or one addition may carry.
	MaxFiles = 3
	// MaxFileSize is the largest file accepted, in bytes.
	MaxFileSize = 5 << 20
	// MaxPixels bounds an image's width × height, checked from its header
	// before it is decoded: a small file that claims huge dimensions (a
	// decompression bomb) is refused without allocating its pixels.
	MaxPixels = 24_000_000
	// MaxSide bounds either side of an image.
	MaxSide = 12_000
	// MaxFilesPerCase bounds the files of one case over all additions.
	MaxFilesPerCase = 12
)

// Upload is a file as received.
type Upload struct {
	Data []byte
}

// Evidence is a file ready to store: images re-encoded without metadata,
// PDFs as received.
type Evidence struct {
	Name        string // generated: the filer's file name may carry personal data
	ContentType string
	Data        []byte
	SHA256      string
}

// fileError names the field of the n-th file (1-based).
func fileError(n int, reason string) error {
	return &errs.Invalid{Fields: []errs.FieldError{{Field: fmt.Sprintf("berkas[%d]", n), Reason: reason}}}
}

// Sanitize checks the n-th uploaded file (1-based) by its content, never
// its name, and prepares it for storage. JPEG and PNG images are decoded
// and encoded again with the standard library, which writes no metadata:
// EXIF (camera, time, GPS position), XMP, ICC profiles and comments are
// gone; an EXIF orientation (a phone photo stored sideways) is applied
// to the pixels first, so the photo shows upright. PDFs must begin with the PDF signature and are kept as they are.
func Sanitize(n int, raw []byte) (Evidence, error) {
	if len(raw) == 0 {
		return Evidence{}, fileError(n, "berkas kosong")
	}
	if len(raw) > MaxFileSize {
		return Evidence{}, fileError(n, fmt.Sprintf("berkas lebih dari %d MB", MaxFileSize>>20))
	}
	var ev Evidence
	switch ct := http.DetectContentType(raw); ct {
	case "image/jpeg", "image/png":
		cfg, format, err := image.DecodeConfig(bytes.NewReader(raw))
		if err != nil || "image/"+format != ct {
			return Evidence{}, fileError(n, "berkas tampak seperti gambar tetapi tidak dapat dibaca")
		}
		if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > MaxSide || cfg.Height > MaxSide || cfg.Width*cfg.Height > MaxPixels {
			return Evidence{}, fileError(n, fmt.Sprintf("gambar %d×%d piksel terlalu besar (paling banyak %d juta piksel)", cfg.Width, cfg.Height, MaxPixels/1_000_000))
		}
		img, _, err := image.Decode(bytes.NewReader(raw))
		if err != nil {
			return Evidence{}, fileError(n, "gambar rusak atau tidak lengkap")
		}
		// The EXIF block goes; the turn it asks for stays, in the pixels.
		img = exif.Upright(img, exif.Orientation(raw, format))
		var out bytes.Buffer
		if format == "jpeg" {
			err = jpeg.Encode(&out, img, &jpeg.Options{Quality: 85})
			ev.Name, ev.ContentType = fmt.Sprintf("bukti-%d.jpg", n), "image/jpeg"
		} else {
			err = (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&out, img)
			ev.Name, ev.ContentType = fmt.Sprintf("bukti-%d.png", n), "image/png"
		}
		if err != nil {
			return Evidence{}, fmt.Errorf("complaint: re-encode image: %w", err)
		}
		ev.Data = out.Bytes()
	case "application/pdf":
		if !bytes.HasPrefix(raw, []byte("%PDF-")) {
			return Evidence{}, fileError(n, "berkas PDF tidak sah")
		}
		ev.Name, ev.ContentType, ev.Data = fmt.Sprintf("bukti-%d.pdf", n), "application/pdf", raw
	default:
		return Evidence{}, fileError(n, "jenis berkas tidak didukung: hanya gambar JPEG atau PNG dan PDF (dikenali dari isinya, bukan dari namanya)")
	}
	sum := sha256.Sum256(ev.Data)
	ev.SHA256 = hex.EncodeToString(sum[:])
	return ev, nil
}
