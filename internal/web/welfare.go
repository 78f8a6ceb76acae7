package web

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/welfare"
)

// welfareTop is the number of indicators the family page lists by name;
// the others are summed in one line.
const welfareTop = 8

// welfareView is the Kesejahteraan block of the family page: the family's
// decile and score in the current ranking and the indicators that moved it.
type welfareView struct {
	Ranked      bool
	Unavailable bool
	Decile      int
	Label       string
	Score       string
	Model       string
	ByProvince  bool
	RankedAt    time.Time
	Base        string
	Top         []welfareRow
	Rest        int    // indicators not listed
	RestPoints  string // their sum
}

type welfareRow struct {
	Label, Value, Points string
}

// familyWelfare builds the block. A family the current ranking did not rank
// (or no ranking yet) shows a note; a failure to read the ranking is logged
// and leaves the rest of the page intact.
func (w *Web) familyWelfare(ctx context.Context, lang string, id int64) *welfareView {
	b, err := welfare.FamilyBreakdown(ctx, w.d.Registry, id)
	if errors.Is(err, errs.ErrNotFound) {
		return &welfareView{}
	}
	if err != nil {
		slog.ErrorContext(ctx, "welfare breakdown", "family", id, "err", err)
		return &welfareView{Unavailable: true}
	}
	v := &welfareView{Ranked: true, Decile: b.Decile, Label: text(lang, "desil."+strconv.Itoa(min(b.Decile, 6))),
		Score: formatPoints(lang, b.Score, false), Model: b.Model, ByProvince: b.ByProvince, RankedAt: b.RankedAt,
		Base: formatPoints(lang, b.Base, false)}
	rest := 0.0
	for _, c := range b.Contributions {
		if c.Points == 0 || len(v.Top) == welfareTop {
			if c.Points != 0 {
				v.Rest++
				rest += c.Points
			}
			continue
		}
		val := ""
		if c.Value != nil {
			val = *c.Value
			if lang != "en" {
				val = strings.Replace(val, ".", ",", 1)
			}
		}
		v.Top = append(v.Top, welfareRow{Label: c.Label, Value: val, Points: formatPoints(lang, c.Points, true)})
	}
	v.RestPoints = formatPoints(lang, rest, true)
	return v
}

// formatPoints writes points with up to two decimals, the language's
// decimal mark and, when signed, a leading + or − (minus sign).
func formatPoints(lang string, p float64, signed bool) string {
	s := strconv.FormatFloat(math.Abs(math.Round(p*100)/100), 'f', -1, 64)
	if lang != "en" {
		s = strings.Replace(s, ".", ",", 1)
	}
	switch {
	case p < 0:
		return "−" + s
	case signed && p > 0:
		return "+" + s
	}
	return s
}
