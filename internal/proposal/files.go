package proposal

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/kemensos/jaring/internal/store"
)

// Purposes of stored files.
const (
	PurposeEvidence = "bukti"
	PurposePhoto    = "foto_rumah"
	PurposeMinutes  = "berita_acara"
)

// sniff returns a file's type judged by its content: image/jpeg,
// image/png, application/pdf, or "" for anything else.
func sniff(data []byte) string {
	switch http.DetectContentType(data) {
	case "image/jpeg":
		return "image/jpeg"
	case "image/png":
		return "image/png"
	case "application/pdf":
		if isPDF(data) {
			return "application/pdf"
		}
	}
	return ""
}

// isPDF reports whether data is a PDF document: the header, a
// cross-reference pointer and the end-of-file marker near its end.
func isPDF(data []byte) bool {
	if !bytes.HasPrefix(data, []byte("%PDF-")) || len(data) < 64 {
		return false
	}
	tail := data[max(0, len(data)-2048):]
	return bytes.Contains(tail, []byte("%%EOF")) && bytes.Contains(tail, []byte("startxref"))
}

// checkFile checks an upload against the allowed types and a size limit
// and returns its content type; field names the form field.
func checkFile(field string, f File, allowed []string, limit int) (string, error) {
	if len(f.Data) == 0 {
		return "", invalid(field, "berkas kosong atau tidak diunggah")
	}
	if len(f.Data) > limit {
		return "", invalid(field, fmt.Sprintf("berkas %s terlalu besar: %d KB, paling besar %d KB", safeName(f.Name), len(f.Data)>>10, limit>>10))
	}
	ct := sniff(f.Data)
	for _, a := range allowed {
		if ct == a {
			return ct, nil
		}
	}
	return "", invalid(field, fmt.Sprintf("berkas %s bukan %s (diperiksa dari isinya)", safeName(f.Name), typeNames(allowed)))
}

func typeNames(allowed []string) string {
	var n []string
	for _, a := range allowed {
		switch a {
		case "image/jpeg":
			n = append(n, "JPEG")
		case "image/png":
			n = append(n, "PNG")
		case "application/pdf":
			n = append(n, "PDF")
		}
	}
	return strings.Join(n, "/")
}

// safeName keeps a file name's last element, printable and short.
func safeName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	if !utf8.ValidString(name) || name == "." || name == "/" {
		name = "berkas"
	}
	name = strings.Map(func(r rune) rune {
		if r < 32 || r == 127 {
			return -1
		}
		return r
	}, name)
	if r := []rune(name); len(r) > 80 {
		name = string(r[:80])
	}
	return name
}

// storedFile is a checked upload about to be stored.
type storedFile struct {
	purpose, name, contentType string
	data                       []byte
}

func insertFiles(ctx context.Context, tx *store.Tx, proposalID, sessionID int64, files []storedFile, by string, at int64) ([]int64, error) {
	if len(files) == 0 {
		return nil, nil
	}
	first, err := tx.ReserveIDs(ctx, "proposal_file", int64(len(files)))
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(files))
	for i, f := range files {
		sum := sha256.Sum256(f.data)
		var pid, sid any
		if proposalID != 0 {
			pid = proposalID
		}
		if sessionID != 0 {
			sid = sessionID
		}
		ids[i] = first + int64(i)
		if _, err := tx.Exec(ctx, `INSERT INTO proposal_file (id, proposal_id, session_id, purpose, name, content_type, size, sha256, data, uploaded_by, uploaded_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			ids[i], pid, sid, f.purpose, safeName(f.name), f.contentType, int64(len(f.data)), hex.EncodeToString(sum[:]), f.data, by, at); err != nil {
			return nil, fmt.Errorf("proposal: store file: %w", err)
		}
	}
	return ids, nil
}

// FileInfo describes a stored file.
type FileInfo struct {
	ID          int64
	Purpose     string
	Name        string
	ContentType string
	Size        int64
	SHA256      string
}
