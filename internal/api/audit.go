package api

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/kemensos/jaring/internal/audit"
	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/httpx"
	"github.com/kemensos/jaring/internal/region"
	"github.com/kemensos/jaring/internal/store"
)

// AuditFilter reads the audit trail's filters from a query: actor, person
// (an internal person ID, never a NIK), region, action, from and to (RFC
// 3339, or YYYY-MM-DD for whole days in UTC, to inclusive), after_seq,
// before_seq and limit. The region is narrowed to the caller's scope by
// internal/audit.
func AuditFilter(q url.Values) (audit.Filter, error) {
	var f audit.Filter
	var fe []errs.FieldError
	f.Actor, f.Action, f.Region = q.Get("actor"), q.Get("action"), q.Get("region")
	if f.Region != "" {
		if err := region.Validate(f.Region); err != nil {
			fe = append(fe, errs.FieldError{Field: "region", Value: f.Region, Reason: err.Error()})
		}
	}
	num := func(name string, dst *int64) {
		if v := q.Get(name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				fe = append(fe, errs.FieldError{Field: name, Value: v, Reason: "harus bilangan bulat positif"})
			}
			*dst = n
		}
	}
	var limit int64
	num("person", &f.PersonID)
	num("after_seq", &f.AfterSeq)
	num("before_seq", &f.BeforeSeq)
	num("limit", &limit)
	f.OldestFirst = q.Has("after_seq")
	f.Limit = int(min(limit, audit.MaxLimit))
	instant := func(name string, endOfDay bool) time.Time {
		v := q.Get(name)
		if v == "" {
			return time.Time{}
		}
		if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
			return t
		}
		if d, err := time.Parse(time.DateOnly, v); err == nil {
			if endOfDay {
				return d.Add(24 * time.Hour)
			}
			return d
		}
		fe = append(fe, errs.FieldError{Field: name, Value: v, Reason: "gunakan format RFC 3339 atau TTTT-BB-HH"})
		return time.Time{}
	}
	f.From, f.To = instant("from", false), instant("to", true)
	return f, errs.Fields(fe)
}

func (a *API) auditSearch(w http.ResponseWriter, r *http.Request) {
	f, err := AuditFilter(r.URL.Query())
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	entries, err := audit.Search(r.Context(), a.Registry.DB, f)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	out := map[string]any{"entries": entries}
	if len(entries) == f.Limit {
		last := entries[len(entries)-1].Seq
		if f.OldestFirst {
			out["next_after_seq"] = last
		} else {
			out["next_before_seq"] = last
		}
	}
	httpx.WriteJSON(w, http.StatusOK, out)
}

func (a *API) auditExport(w http.ResponseWriter, r *http.Request) {
	f, err := AuditFilter(r.URL.Query())
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	if err := ExportAudit(w, r, a.Registry.DB, f); err != nil {
		httpx.WriteError(w, r, err)
	}
}

// ExportAudit answers the entries matching f as a CSV file, oldest first.
// The export is itself recorded in the trail before the first row is sent:
// the trail holds personal data too.
func ExportAudit(w http.ResponseWriter, r *http.Request, db *store.DB, f audit.Filter) error {
	ctx := r.Context()
	// Check the filter against the caller's scope before recording anything.
	if _, err := audit.Search(ctx, db, audit.Filter{Region: f.Region, Limit: 1}); err != nil {
		return err
	}
	filter := map[string]any{}
	for k, v := range r.URL.Query() {
		if len(v) > 0 && v[0] != "" {
			filter[k] = audit.MaskDigits(v[0])
		}
	}
	err := db.Write(ctx, func(tx *store.Tx) error {
		return audit.Record(ctx, tx, audit.Entry{Action: audit.ActAuditExport, ObjectType: audit.ObjAudit, Region: f.Region, After: filter})
	})
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="jejak-audit.csv"`)
	if _, err := audit.Export(ctx, db, f, w); err != nil {
		// Headers are gone; the client sees a truncated file.
		return err
	}
	return nil
}
