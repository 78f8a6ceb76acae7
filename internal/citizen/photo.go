package citizen

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	_ "image/png" // PNG uploads are decoded too
	"net/http"

	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/exif"
)

// Photo limits. An upload is checked by its content (not its name or
// declared type), decoded, scaled down to MaxSide and re-encoded as JPEG
// with the standard library: nothing of the original file but its pixels
// is kept, so EXIF data (GPS position, camera, time) is gone.
const (
	MaxPhotoBytes = 5 << 20 // one photo as uploaded
	MaxPixels     = 40e6    // width × height before decoding: refuses decompression bombs
	MinSide       = 200     // smaller photos cannot show a KTP legibly
	MaxSide       = 1600    // stored photos are scaled down to this long side
	photoQuality  = 85
)

// Photo kinds.
const (
	PhotoKTP    = "ktp"     // the KTP
	PhotoSelfie = "swafoto" // a selfie holding the KTP
)

// PhotoKinds lists the photo kinds in display order.
var PhotoKinds = []string{PhotoKTP, PhotoSelfie}

// Image is a re-encoded photo.
type Image struct {
	Data          []byte
	Width, Height int
}

// ContentType of every stored photo.
const ContentType = "image/jpeg"

func photoError(field, reason string) error {
	return &errs.Invalid{Fields: []errs.FieldError{{Field: field, Reason: reason}}}
}

// CleanPhoto checks an uploaded photo (field names the form field, for
// the error) and returns it re-encoded: upright (the EXIF orientation is
// applied), at most MaxSide on its long side, as a JPEG without metadata.
func CleanPhoto(field string, b []byte) (Image, error) {
	if len(b) == 0 {
		return Image{}, photoError(field, "foto wajib diunggah")
	}
	if len(b) > MaxPhotoBytes {
		return Image{}, photoError(field, fmt.Sprintf("foto paling besar %d MB", MaxPhotoBytes>>20))
	}
	switch http.DetectContentType(b) {
	case "image/jpeg", "image/png":
	default:
		return Image{}, photoError(field, "berkas bukan foto JPEG atau PNG")
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return Image{}, photoError(field, "foto tidak dapat dibaca")
	}
	if float64(cfg.Width)*float64(cfg.Height) > MaxPixels {
		return Image{}, photoError(field, "foto terlalu besar (piksel)")
	}
	if min(cfg.Width, cfg.Height) < MinSide {
		return Image{}, photoError(field, fmt.Sprintf("foto terlalu kecil: sisi pendek paling sedikit %d piksel", MinSide))
	}
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		return Image{}, photoError(field, "foto rusak atau tidak lengkap")
	}
	if format == "jpeg" {
		img = exif.Upright(img, exif.Orientation(b, format))
	}
	img = shrink(img, MaxSide)
	var out bytes.Buffer
	if err := jpeg.Encode(&out, img, &jpeg.Options{Quality: photoQuality}); err != nil {
		return Image{}, fmt.Errorf("citizen: encode photo: %w", err)
	}
	r := img.Bounds()
	return Image{Data: out.Bytes(), Width: r.Dx(), Height: r.Dy()}, nil
}

// shrink scales img down so that its long side is at most side, averaging
// the source pixels of each target pixel (a box filter); smaller images
// are only copied onto an RGBA canvas.
func shrink(img image.Image, side int) image.Image {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if max(w, h) <= side {
		dst := image.NewRGBA(image.Rect(0, 0, w, h))
		draw.Draw(dst, dst.Bounds(), img, b.Min, draw.Src)
		return dst
	}
	nw, nh := side, h*side/w
	if h > w {
		nw, nh = w*side/h, side
	}
	nw, nh = max(nw, 1), max(nh, 1)
	dst := image.NewRGBA(image.Rect(0, 0, nw, nh))
	for y := range nh {
		y0, y1 := b.Min.Y+y*h/nh, b.Min.Y+max((y+1)*h/nh, y*h/nh+1)
		for x := range nw {
			x0, x1 := b.Min.X+x*w/nw, b.Min.X+max((x+1)*w/nw, x*w/nw+1)
			// At most about 4 × 4 samples a target pixel keep a 12-megapixel photo quick.
			sy0, sx0 := max((y1-y0)/4, 1), max((x1-x0)/4, 1)
			var r, g, bl, n uint64
			for sy := y0; sy < y1; sy += sy0 {
				for sx := x0; sx < x1; sx += sx0 {
					cr, cg, cb, _ := img.At(sx, sy).RGBA()
					r, g, bl, n = r+uint64(cr), g+uint64(cg), bl+uint64(cb), n+1
				}
			}
			dst.SetRGBA(x, y, color.RGBA{uint8(r / n >> 8), uint8(g / n >> 8), uint8(bl / n >> 8), 0xff})
		}
	}
	return dst
}
