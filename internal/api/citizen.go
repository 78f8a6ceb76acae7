package api

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"time"

	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/citizen"
	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/httpx"
	"github.com/kemensos/jaring/internal/notify"
)

// Citizens' accounts and notifications. A citizen signs in through
// /api/v1/auth/login with their NIK, phone or e-mail as the user name.

// MaxRegistration caps a registration's body: two photos and the fields.
const MaxRegistration = 2*citizen.MaxPhotoBytes + 1<<20

func (a *API) citizenRoutes() []httpx.Route {
	return []httpx.Route{
		{Method: "POST", Pattern: "/api/v1/citizens/register", Action: authz.Public, Handler: a.citizenRegister, NoCSRF: true, MaxBody: MaxRegistration},
		{Method: "GET", Pattern: "/api/v1/me/citizen", Action: authz.CitizenSelf, Handler: a.citizenSelf},
		{Method: "POST", Pattern: "/api/v1/me/citizen/photos", Action: authz.CitizenSelf, Handler: a.citizenResubmit, MaxBody: MaxRegistration},
		{Method: "GET", Pattern: "/api/v1/me/notifications", Action: authz.Self, Handler: a.notificationList},
		{Method: "POST", Pattern: "/api/v1/me/notifications/read", Action: authz.Self, Handler: a.notificationRead},
		{Method: "GET", Pattern: "/api/v1/citizens", Action: authz.CitizenVerify, Handler: a.citizenQueue},
		{Method: "GET", Pattern: "/api/v1/citizens/{id}", Action: authz.CitizenVerify, Handler: a.citizenGet},
		{Method: "GET", Pattern: "/api/v1/citizens/{id}/photos/{kind}", Action: authz.CitizenVerify, Handler: a.citizenPhoto},
		{Method: "POST", Pattern: "/api/v1/citizens/{id}/approve", Action: authz.CitizenVerify, Handler: a.citizenApprove},
		{Method: "POST", Pattern: "/api/v1/citizens/{id}/reject", Action: authz.CitizenVerify, Handler: a.citizenReject},
	}
}

// ReadPhoto reads an uploaded photo field, at most one byte over the
// limit (so that CleanPhoto names an oversized photo); nil when absent.
func ReadPhoto(r *http.Request, field string) ([]byte, error) {
	f, _, err := r.FormFile(field)
	if errors.Is(err, http.ErrMissingFile) {
		return nil, nil
	}
	if err != nil {
		return nil, uploadError(err)
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, citizen.MaxPhotoBytes+1))
}

// ParseUpload parses a multipart form, answering a body over its route's
// limit as too large.
func ParseUpload(r *http.Request) error {
	if err := r.ParseMultipartForm(4 << 20); err != nil {
		return uploadError(err)
	}
	return nil
}

// ErrTooLarge is an upload over its route's limit.
var ErrTooLarge = errors.New("unggahan terlalu besar")

func uploadError(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return ErrTooLarge
	}
	if errors.Is(err, multipart.ErrMessageTooLarge) {
		return ErrTooLarge
	}
	return &errs.Invalid{Fields: []errs.FieldError{{Field: "body", Reason: "kirim formulir multipart/form-data"}}}
}

func writeUploadError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, ErrTooLarge) {
		httpx.WriteProblem(w, httpx.Problem{Status: http.StatusRequestEntityTooLarge, Title: "Unggahan terlalu besar",
			Detail: "Setiap foto paling besar 5 MB."})
		return
	}
	httpx.WriteError(w, r, err)
}

// RegistrationFrom reads a registration form (the API's and the public
// page's use the same field names).
func RegistrationFrom(r *http.Request) (citizen.Registration, error) {
	if err := ParseUpload(r); err != nil {
		return citizen.Registration{}, err
	}
	reg := citizen.Registration{NIK: r.FormValue("nik"), KK: r.FormValue("kk"), Name: r.FormValue("name"),
		VillageCode: r.FormValue("village"), Phone: r.FormValue("phone"), Email: r.FormValue("email"), Password: r.FormValue("password")}
	var err error
	if reg.KTP, err = ReadPhoto(r, "ktp"); err != nil {
		return reg, err
	}
	if reg.Selfie, err = ReadPhoto(r, "selfie"); err != nil {
		return reg, err
	}
	return reg, nil
}

// TooMany answers a registration over the address's limit.
func TooMany(w http.ResponseWriter) {
	w.Header().Set("Retry-After", "120")
	httpx.WriteProblem(w, httpx.Problem{Status: http.StatusTooManyRequests, Title: "Terlalu banyak pendaftaran",
		Detail: "Terlalu banyak pendaftaran dari alamat ini; coba lagi beberapa menit lagi."})
}

func (a *API) citizenRegister(w http.ResponseWriter, r *http.Request) {
	if !a.Citizens.Limiter.Allow(ClientAddr(r)) {
		TooMany(w)
		return
	}
	reg, err := RegistrationFrom(r)
	if err != nil {
		writeUploadError(w, r, err)
		return
	}
	acc, err := a.Citizens.Register(r.Context(), reg)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, ownJSON(acc))
}

// ownAccount is a citizen's own account, as they see it.
type ownAccount struct {
	ID                int64     `json:"id"`
	NIK               string    `json:"nik"`
	KK                string    `json:"kk"`
	Name              string    `json:"name"`
	VillageCode       string    `json:"village_code"`
	Phone             string    `json:"phone,omitempty"`
	Email             string    `json:"email,omitempty"`
	Status            string    `json:"status"`
	StatusLabel       string    `json:"status_label"`
	Verified          bool      `json:"verified"`
	RejectReason      string    `json:"reject_reason,omitempty"`
	RejectReasonLabel string    `json:"reject_reason_label,omitempty"`
	RejectNote        string    `json:"reject_note,omitempty"`
	DecidedAt         time.Time `json:"decided_at,omitzero"`
	CreatedAt         time.Time `json:"created_at"`
}

func ownJSON(a citizen.Account) ownAccount {
	o := ownAccount{ID: a.ID, NIK: a.NIK, KK: a.KK, Name: a.Name, VillageCode: a.VillageCode, Phone: a.Phone, Email: a.Email,
		Status: string(a.Status), StatusLabel: a.Status.Label(), Verified: a.Verified, RejectReason: a.RejectReason,
		RejectNote: a.RejectNote, DecidedAt: a.DecidedAt, CreatedAt: a.CreatedAt}
	if rs, ok := citizen.ReasonByCode(a.RejectReason); ok {
		o.RejectReasonLabel = rs.Label
	}
	return o
}

func (a *API) citizenSelf(w http.ResponseWriter, r *http.Request) {
	acc, ok := citizen.From(r.Context())
	if !ok {
		httpx.WriteError(w, r, errs.NotFound("akun warga"))
		return
	}
	httpx.WriteJSON(w, http.StatusOK, ownJSON(acc))
}

func (a *API) citizenResubmit(w http.ResponseWriter, r *http.Request) {
	if err := ParseUpload(r); err != nil {
		writeUploadError(w, r, err)
		return
	}
	ktp, err := ReadPhoto(r, "ktp")
	if err != nil {
		writeUploadError(w, r, err)
		return
	}
	selfie, err := ReadPhoto(r, "selfie")
	if err != nil {
		writeUploadError(w, r, err)
		return
	}
	acc, err := a.Citizens.Resubmit(r.Context(), ktp, selfie)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, ownJSON(acc))
}

func (a *API) notificationList(w http.ResponseWriter, r *http.Request) {
	sess := httpx.SessionFrom(r.Context())
	q := r.URL.Query()
	o := notify.ListOptions{Unread: q.Get("unread") == "true"}
	if v := q.Get("before"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			httpx.WriteError(w, r, &errs.Invalid{Fields: []errs.FieldError{{Field: "before", Value: v, Reason: "ID pemberitahuan, bilangan bulat positif"}}})
			return
		}
		o.Before = n
	}
	list, err := a.Notify.List(r.Context(), sess.User.ID, o)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	unread, err := a.Notify.Unread(r.Context(), sess.User.ID)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"notifications": list, "unread": unread})
}

func (a *API) notificationRead(w http.ResponseWriter, r *http.Request) {
	var body struct {
		IDs []int64 `json:"ids"`
	}
	if err := httpx.DecodeJSON(w, r, &body); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	n, err := a.Notify.MarkRead(r.Context(), httpx.SessionFrom(r.Context()).User.ID, body.IDs)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]int{"marked": n})
}

// queueItem is an account in the operators' queue.
type queueItem struct {
	ID          int64     `json:"id"`
	NIKMasked   string    `json:"nik_masked"`
	Name        string    `json:"name"`
	VillageCode string    `json:"village_code"`
	Status      string    `json:"status"`
	Flags       []string  `json:"flags"`
	InRegister  bool      `json:"in_register"`
	CreatedAt   time.Time `json:"created_at"`
}

func (a *API) citizenQueue(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	o := citizen.QueueOptions{Status: citizen.Status(q.Get("status"))}
	switch o.Status {
	case "", citizen.Pending, citizen.Verified, citizen.Rejected:
	default:
		httpx.WriteError(w, r, &errs.Invalid{Fields: []errs.FieldError{{Field: "status", Value: q.Get("status"), Reason: "menunggu, terverifikasi atau ditolak"}}})
		return
	}
	if v := q.Get("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			httpx.WriteError(w, r, &errs.Invalid{Fields: []errs.FieldError{{Field: "after", Value: v, Reason: "ID akun, bilangan bulat"}}})
			return
		}
		o.After = n
	}
	items, err := a.Citizens.Queue(r.Context(), o)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	out := make([]queueItem, len(items))
	for i, it := range items {
		out[i] = queueItem{ID: it.ID, NIKMasked: it.NIKMasked, Name: it.Name, VillageCode: it.VillageCode, Status: string(it.Status),
			Flags: append([]string{}, it.Flags...), InRegister: it.InRegister, CreatedAt: it.CreatedAt}
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"accounts": out})
}

// reviewedAccount is an account as the verifying operator sees it.
type reviewedAccount struct {
	ownAccount
	Flags      []string `json:"flags"`
	InRegister bool     `json:"in_register"`
	DecidedBy  string   `json:"decided_by,omitempty"`
}

func reviewedJSON(acc citizen.Account) reviewedAccount {
	return reviewedAccount{ownAccount: ownJSON(acc), Flags: append([]string{}, acc.Flags...), InRegister: acc.PersonID != 0, DecidedBy: acc.DecidedBy}
}

func (a *API) citizenGet(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	acc, err := a.Citizens.Get(r.Context(), id)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, reviewedJSON(acc))
}

// ServePhoto writes a stored photo: never cached, never sniffed.
func ServePhoto(w http.ResponseWriter, data []byte) {
	h := w.Header()
	h.Set("Content-Type", citizen.ContentType)
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Disposition", "inline")
	h.Set("Content-Length", strconv.Itoa(len(data)))
	_, _ = w.Write(data)
}

func (a *API) citizenPhoto(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	data, err := a.Citizens.Photo(r.Context(), id, r.PathValue("kind"))
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	ServePhoto(w, data)
}

func (a *API) citizenApprove(w http.ResponseWriter, r *http.Request) {
	a.citizenDecide(w, r, true)
}

func (a *API) citizenReject(w http.ResponseWriter, r *http.Request) {
	a.citizenDecide(w, r, false)
}

func (a *API) citizenDecide(w http.ResponseWriter, r *http.Request, approve bool) {
	id, err := pathID(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	var body struct {
		Reason string `json:"reason"`
		Note   string `json:"note"`
	}
	if r.ContentLength != 0 {
		if err := httpx.DecodeJSON(w, r, &body); err != nil {
			httpx.WriteError(w, r, err)
			return
		}
	}
	acc, err := a.Citizens.Decide(r.Context(), id, citizen.Decision{Approve: approve, Reason: body.Reason, Note: body.Note})
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, reviewedJSON(acc))
}
