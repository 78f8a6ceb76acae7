package registry_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kemensos/jaring/internal/registry"
	"github.com/kemensos/jaring/internal/store"
	"github.com/kemensos/jaring/internal/store/storetest"
)

// testRegions is a small region tree for register tests.
var testRegions = [][2]string{
	{"32", "Jawa Barat"}, {"32.01", "Kabupaten Bogor"},
	{"32.01.01", "Cibinong"}, {"32.01.01.1001", "Cibinong"}, {"32.01.01.2002", "Pabuaran"},
	{"32.01.02", "Gunung Putri"}, {"32.01.02.2001", "Wanaherang"},
}

func seedRegions(t testing.TB, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	var rows [][]any
	for _, r := range testRegions {
		level := strings.Count(r[0], ".") + 1
		parent := any(nil)
		if i := strings.LastIndex(r[0], "."); i > 0 {
			parent = r[0][:i]
		}
		rows = append(rows, []any{r[0], r[1], int64(level), parent, true, int64(0)})
	}
	err := db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.CopyFrom(ctx, "regions", []string{"code", "name", "level", "parent", "active", "updated_at"}, rows)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// runRegistry runs fn on every engine with a registry whose clock advances
// one second per call, so versions get distinct times.
func runRegistry(t *testing.T, fn func(t *testing.T, r *registry.Registry)) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		seedRegions(t, db)
		r := registry.New(db)
		clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		r.Now = func() time.Time { clock = clock.Add(time.Second); return clock }
		fn(t, r)
	})
}

const header = "no_kk,kode_wilayah,alamat,lantai,aset,nik,nama,jenis_kelamin,tanggal_lahir,hubungan,pekerjaan,jenjang_sekolah,id_sekolah"

// Valid identifiers: NIK PP KK CC DD MM YY SSSS (+40 on the day for women).
const (
	kk1   = "3201011506100001"
	kk2   = "3201011506100002"
	head1 = "3201011205800001" // man born 1980-05-12
	wife1 = "3201014703850001" // woman born 1985-03-07
	kid1  = "3201010101100001" // boy born 2010-01-01
	head2 = "3201012008750001" // man born 1975-08-20
)

const goodCSV = header + "\n" +
	kk1 + ",32.01.01.2002,Jl. Melati 1,semen,televisi|sepeda_motor," + head1 + ",Budi Santoso,L,1980-05-12,kepala_keluarga,petani,,\n" +
	kk1 + ",,,,," + wife1 + ",Siti Aminah,P,1985-03-07,istri,mengurus_rumah_tangga,,\n" +
	kk1 + ",,,,," + kid1 + ",Muhammad Rizki,L,2010-01-01,anak,pelajar,smp,0101234567\n" +
	kk2 + ",32.01.01.1001,Jl. Mawar 2,tanah,," + head2 + ",Achmad Soekarno,L,1975-08-20,kepala_keluarga,buruh,,\n"

func writeFile(t testing.TB, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// importString imports CSV content and returns the result and the report.
func importString(t testing.TB, r *registry.Registry, content string, o registry.ImportOptions) (registry.ImportResult, string, error) {
	t.Helper()
	src, err := registry.NewCSVReader(strings.NewReader(content), int64(len(content)), registry.SourceOptions{})
	if err != nil {
		return registry.ImportResult{}, "", err
	}
	var rep strings.Builder
	o.Report = &rep
	if o.Actor == "" {
		o.Actor = "test"
	}
	res, err := r.Import(context.Background(), src, o)
	return res, rep.String(), err
}

func count(t testing.TB, db *store.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
