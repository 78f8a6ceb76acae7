package cli

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/kemensos/jaring/internal/region"
	"github.com/kemensos/jaring/internal/registry"
	"github.com/kemensos/jaring/internal/seed"
	"github.com/kemensos/jaring/internal/store"
)

func runSeed(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("seed", env, "seed [--db URL] [--families N] [--seed S] [--dirty RATE] [--out DIR]")
	var df dbFlags
	df.register(fs, env)
	families := fs.Int("families", 1000, "number of families")
	seedVal := fs.Int64("seed", 1, "random seed; the same seed gives the same population")
	dirty := fs.Float64("dirty", 0, "rate of injected register errors, 0 to 1 (writes truth.csv with --out)")
	out := fs.String("out", "", "write DIR/people.csv (and truth.csv) instead of the database")
	regionsFile := fs.String("regions", "", "kode,nama CSV of regions for --out (default ../shared/data/regions/kemendagri-2025.csv, else the demo regions)")
	quiet := fs.Bool("quiet", false, "no progress bar")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *families < 0 || *dirty < 0 || *dirty > 1 {
		return fmt.Errorf("--families harus >= 0 dan --dirty antara 0 dan 1")
	}
	opts := seed.Options{Seed: *seedVal, Families: *families, Dirty: *dirty, Names: loadNames(env), Now: time.Now().UTC()}
	if *out != "" {
		codes, err := villageCodesFromFile(*regionsFile)
		if err != nil {
			return err
		}
		opts.Villages = seed.Villages(codes, loadWeights(env))
		bar := newCountBar(env, *quiet, int64(*families), "seed")
		start := time.Now()
		err = seed.WriteFiles(*out, opts, func(f, p int) {
			if bar != nil {
				_ = bar.Set(f)
			}
		})
		if bar != nil {
			_ = bar.Finish()
			fmt.Fprintln(env.Stderr)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "%d keluarga ditulis ke %s dalam %s.\n", *families, *out, time.Since(start).Round(time.Millisecond))
		return nil
	}
	db, err := df.open(ctx, env, false)
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := seedDB(ctx, env, db, opts, *quiet)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%d keluarga dan %d jiwa ditambahkan.\n", res.FamiliesAdded, res.PeopleAdded)
	return nil
}

// seedDB generates a population over the database's villages and imports it.
func seedDB(ctx context.Context, env *Env, db *store.DB, opts seed.Options, quiet bool) (registry.ImportResult, error) {
	codes, err := region.Store{DB: db}.VillageCodes(ctx, "")
	if err != nil {
		return registry.ImportResult{}, err
	}
	if len(codes) == 0 {
		return registry.ImportResult{}, fmt.Errorf("belum ada wilayah: jalankan `jaring regions import FILE` atau `jaring serve --demo`")
	}
	opts.Villages = seed.Villages(codes, loadWeights(env))
	g, err := seed.New(opts)
	if err != nil {
		return registry.ImportResult{}, err
	}
	bar := newCountBar(env, quiet, int64(opts.Families), "seed")
	src := &generatorSource{g: g, total: int64(opts.Families)}
	res, err := registry.New(db).Import(ctx, src, registry.ImportOptions{
		Actor: "seed", Reason: fmt.Sprintf("populasi sintetis (seed %d)", opts.Seed),
		Progress: func(p registry.ImportProgress) {
			if bar != nil {
				_ = bar.Set64(p.Families)
			}
		},
	})
	if bar != nil {
		_ = bar.Finish()
		fmt.Fprintln(env.Stderr)
	}
	if err == nil && res.Errors > 0 {
		err = fmt.Errorf("%d galat pada data sintetis", res.Errors)
	}
	return res, err
}

// generatorSource feeds generated rows to the importer.
type generatorSource struct {
	g     *seed.Generator
	row   int
	total int64
}

func (s *generatorSource) Header() []string { return seed.Columns }

func (s *generatorSource) Next() ([]string, registry.Pos, error) {
	r, err := s.g.Next()
	if err != nil {
		return nil, registry.Pos{}, err
	}
	s.row++
	return r, registry.Pos{Row: s.row + 1}, nil
}

func (s *generatorSource) Progress() (int64, int64) { return int64(s.g.FamiliesDone()), s.total }
func (s *generatorSource) Close() error             { return nil }

func loadNames(env *Env) seed.Names {
	if p := sharedPath("data/names/indonesian-names.csv"); p != "" {
		if n, err := seed.LoadNames(p); err == nil {
			return n
		}
	}
	return seed.BuiltinNames()
}

func loadWeights(env *Env) map[string]int64 {
	if p := sharedPath("data/regions/population-2024.csv"); p != "" {
		if w, err := seed.LoadPopulationWeights(p); err == nil {
			return w
		}
	}
	return nil
}

func villageCodesFromFile(path string) ([]string, error) {
	if path == "" {
		path = sharedPath("data/regions/kemendagri-2025.csv")
	}
	var regions []region.Region
	if path == "" {
		regions = region.Demo()
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		regions, err = region.ReadCSV(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	var codes []string
	for _, r := range regions {
		if r.Level == 4 {
			codes = append(codes, r.Code)
		}
	}
	return codes, nil
}

func newCountBar(env *Env, quiet bool, total int64, desc string) interface {
	Set(int) error
	Set64(int64) error
	Finish() error
} {
	if quiet {
		return nil
	}
	return newBarCount(env, total, desc, "keluarga")
}
