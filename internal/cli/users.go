package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/kemensos/jaring/internal/auth"
	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/store"
)

const usersUsage = `Penggunaan:
  jaring users add --username U --role PERAN [--region KODE] [--password-stdin]
  jaring users disable --username U
  jaring users list [--region KODE]
  jaring users totp --username U
Peran: admin, pusdatin, program, provinsi, dinsos, desa, pendamping, inspektorat,
command_center, bank, ewarong, kementerian (lihat docs/permissions.md).`

func runUsers(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(env.Stderr, usersUsage)
		return errUsage
	}
	// The command line acts nationally, as whoever holds the server.
	ctx = authz.With(ctx, authz.System("cli"))
	switch args[0] {
	case "add":
		return usersAdd(ctx, env, args[1:])
	case "disable":
		return usersDisable(ctx, env, args[1:])
	case "list":
		return usersList(ctx, env, args[1:])
	case "totp":
		return usersTOTP(ctx, env, args[1:])
	case "-h", "--help", "help":
		fmt.Fprintln(env.Stdout, usersUsage)
		return nil
	}
	fmt.Fprintln(env.Stderr, usersUsage)
	return errUsage
}

// secretKey returns the key that seals secrets at rest (TOTP secrets):
// JARING_SECRET_KEY, else the file JARING_SECRET_KEY_FILE names, else
// DATA/secret.key, created on first use. Every node of one database needs
// the same key. It also says where the key came from.
func (f *dbFlags) secretKey(env *Env) ([]byte, string, error) {
	if v := env.Getenv("JARING_SECRET_KEY"); v != "" {
		k, err := auth.ParseKey(v)
		if err != nil {
			return nil, "", fmt.Errorf("JARING_SECRET_KEY: %w", err)
		}
		return k, "JARING_SECRET_KEY", nil
	}
	if p := env.Getenv("JARING_SECRET_KEY_FILE"); p != "" {
		k, err := auth.LoadKeyFile(p, false)
		if err != nil {
			return nil, "", fmt.Errorf("JARING_SECRET_KEY_FILE: %w", err)
		}
		return k, p, nil
	}
	p := filepath.Join(f.data, "secret.key")
	k, err := auth.LoadKeyFile(p, true)
	if err != nil {
		return nil, "", fmt.Errorf("kunci rahasia %s: %w", p, err)
	}
	return k, p, nil
}

// authService returns the account service on db with the secret key.
func (f *dbFlags) authService(env *Env, db *store.DB) (*auth.Service, error) {
	svc := auth.New(db)
	k, _, err := f.secretKey(env)
	if err != nil {
		return nil, err
	}
	svc.Key = k
	return svc, nil
}

// openAuth opens the database and the account service.
func (f *dbFlags) openAuth(ctx context.Context, env *Env) (*store.DB, *auth.Service, error) {
	db, err := f.open(ctx, env, false)
	if err != nil {
		return nil, nil, err
	}
	svc, err := f.authService(env, db)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, svc, nil
}

// openUser opens the database and finds an account by name, for the
// commands that act on one account. The caller closes the database.
func (f *dbFlags) openUser(ctx context.Context, env *Env, username string) (*store.DB, *auth.Service, auth.User, error) {
	db, err := f.open(ctx, env, false)
	if err != nil {
		return nil, nil, auth.User{}, err
	}
	svc := auth.New(db)
	u, err := svc.UserByName(ctx, username)
	if err != nil {
		db.Close()
		return nil, nil, auth.User{}, err
	}
	return db, svc, u, nil
}

func usersAdd(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("users add", env, "users add --username U --role PERAN [--region KODE] [--password-stdin]")
	var df dbFlags
	df.register(fs, env)
	username := fs.String("username", "", "user name (lower-case letters, digits, . _ -)")
	role := fs.String("role", "", "role: "+roleNames())
	regionCode := fs.String("region", "", "Kemendagri code of the region the user is bound to (empty = nation)")
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input (otherwise one is generated and printed once)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *username == "" || *role == "" || fs.NArg() > 0 {
		fs.Usage()
		return errUsage
	}
	password := ""
	if *fromStdin {
		line, err := bufio.NewReader(env.Stdin).ReadString('\n')
		if err != nil && line == "" {
			return fmt.Errorf("baca kata sandi dari stdin: %w", err)
		}
		password = strings.TrimRight(line, "\r\n")
		if password == "" {
			return errors.New("kata sandi kosong di stdin")
		}
	}
	db, svc, err := df.openAuth(ctx, env)
	if err != nil {
		return err
	}
	defer db.Close()
	c, err := svc.AddUser(ctx, auth.NewUser{Username: *username, Role: *role, Region: *regionCode, Password: password})
	if err != nil {
		return err
	}
	printCreated(env, c)
	return nil
}

// printCreated shows a new account and what is shown only once.
func printCreated(env *Env, c auth.Created) {
	where := c.User.RegionCode
	if where == "" {
		where = "nasional"
	}
	fmt.Fprintf(env.Stdout, "Akun %s (%s, %s) dibuat.\n", c.User.Username, c.User.Role, where)
	if c.Password != "" {
		fmt.Fprintf(env.Stdout, "  kata sandi:    %s   (hanya ditampilkan sekali; simpan sekarang)\n", c.Password)
	}
	if c.TOTP != nil {
		printEnrollment(env, c.TOTP)
	}
	if info, _ := authz.Info(authz.Role(c.User.Role)); info.Machine {
		fmt.Fprintf(env.Stdout, "Akun mesin tidak memakai kata sandi: buat token dengan `jaring tokens create --username %s`.\n", c.User.Username)
	}
}

func printEnrollment(env *Env, e *auth.Enrollment) {
	fmt.Fprintln(env.Stdout, "  Peran ini wajib masuk dua langkah (TOTP). Daftarkan di aplikasi autentikator")
	fmt.Fprintln(env.Stdout, "  (Google Authenticator, Aegis, FreeOTP, ...) dengan rahasia atau URL ini, hanya ditampilkan sekali:")
	fmt.Fprintf(env.Stdout, "  rahasia TOTP:  %s\n", e.Secret)
	fmt.Fprintf(env.Stdout, "  URL TOTP:      %s\n", e.URL)
	fmt.Fprintln(env.Stdout, "  Saat masuk, isi kode 6 angka dari aplikasi (API: kolom \"totp\").")
}

func roleNames() string {
	var names []string
	for _, r := range authz.Roles {
		names = append(names, string(r.Role))
	}
	return strings.Join(names, ", ")
}

func usersDisable(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("users disable", env, "users disable --username U")
	var df dbFlags
	df.register(fs, env)
	username := fs.String("username", "", "user name")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *username == "" || fs.NArg() > 0 {
		fs.Usage()
		return errUsage
	}
	db, svc, u, err := df.openUser(ctx, env, *username)
	if err != nil {
		return err
	}
	defer db.Close()
	if u.Disabled {
		fmt.Fprintf(env.Stdout, "Akun %s sudah nonaktif.\n", u.Username)
		return nil
	}
	if _, err := svc.DisableUser(ctx, u.ID); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Akun %s dinonaktifkan: semua sesinya berakhir dan semua tokennya dicabut.\n", u.Username)
	return nil
}

func usersList(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("users list", env, "users list [--region KODE]")
	var df dbFlags
	df.register(fs, env)
	regionCode := fs.String("region", "", "only accounts bound inside this region")
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := df.open(ctx, env, false)
	if err != nil {
		return err
	}
	defer db.Close()
	if *regionCode != "" {
		p := authz.System("cli")
		p.Region = *regionCode
		ctx = authz.With(ctx, p)
	}
	list, err := auth.New(db).ListUsers(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAMA PENGGUNA\tPERAN\tWILAYAH\tMFA\tSTATUS")
	for _, u := range list {
		where, mfa, state := u.RegionCode, "-", "aktif"
		if where == "" {
			where = "nasional"
		}
		if u.TOTP {
			mfa = "totp"
		}
		if u.Disabled {
			state = "nonaktif"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", u.ID, u.Username, u.Role, where, mfa, state)
	}
	return tw.Flush()
}

func usersTOTP(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("users totp", env, "users totp --username U")
	var df dbFlags
	df.register(fs, env)
	username := fs.String("username", "", "user name")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *username == "" || fs.NArg() > 0 {
		fs.Usage()
		return errUsage
	}
	db, svc, err := df.openAuth(ctx, env)
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := svc.UserByName(ctx, *username)
	if err != nil {
		return err
	}
	enr, err := svc.EnrollTOTP(ctx, u.ID)
	if err != nil {
		return err
	}
	if u.TOTP {
		fmt.Fprintf(env.Stdout, "Rahasia TOTP baru untuk %s: yang lama tidak berlaku lagi.\n", u.Username)
	} else {
		fmt.Fprintf(env.Stdout, "TOTP didaftarkan untuk %s.\n", u.Username)
	}
	printEnrollment(env, &enr)
	return nil
}

// keyWarning tells the operator of a PostgreSQL server with the key in
// its data directory that other nodes need the same key.
func keyWarning(env *Env, db *store.DB, source string) {
	if db.Engine() == store.Postgres && source != "JARING_SECRET_KEY" && env.Getenv("JARING_SECRET_KEY_FILE") == "" {
		fmt.Fprintf(env.Stderr, "Catatan: kunci rahasia (untuk TOTP) ada di %s. Jika ada beberapa node, pakai kunci yang sama di semua node (JARING_SECRET_KEY_FILE).\n", source)
	}
}
