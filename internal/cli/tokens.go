package cli

import (
	"context"
	"fmt"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/kemensos/jaring/internal/auth"
	"github.com/kemensos/jaring/internal/authz"
)

const tokensUsage = `Penggunaan:
  jaring tokens create --username U [--expires 90d] [--name NAMA]
  jaring tokens list --username U
  jaring tokens revoke --id N
Token API untuk klien mesin dan skrip: kirim sebagai header Authorization: Bearer TOKEN.
Token membawa peran dan wilayah akunnya, kedaluwarsa, dan dapat dicabut.`

func runTokens(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(env.Stderr, tokensUsage)
		return errUsage
	}
	ctx = authz.With(ctx, authz.System("cli"))
	switch args[0] {
	case "create":
		return tokensCreate(ctx, env, args[1:])
	case "list":
		return tokensList(ctx, env, args[1:])
	case "revoke":
		return tokensRevoke(ctx, env, args[1:])
	case "-h", "--help", "help":
		fmt.Fprintln(env.Stdout, tokensUsage)
		return nil
	}
	fmt.Fprintln(env.Stderr, tokensUsage)
	return errUsage
}

func tokensCreate(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("tokens create", env, "tokens create --username U [--expires 90d] [--name NAMA]")
	var df dbFlags
	df.register(fs, env)
	username := fs.String("username", "", "the account the token acts as")
	expires := fs.String("expires", "90d", "lifetime: 90d, 12h, 30m ... (at most 366d)")
	name := fs.String("name", "", "what the token is for")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *username == "" || fs.NArg() > 0 {
		fs.Usage()
		return errUsage
	}
	life, err := auth.ParseLifetime(*expires)
	if err != nil {
		return err
	}
	db, svc, u, err := df.openUser(ctx, env, *username)
	if err != nil {
		return err
	}
	defer db.Close()
	plain, t, err := svc.CreateToken(ctx, u.ID, *name, life)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Token %d (%s) untuk %s, berlaku sampai %s.\n", t.ID, t.Name, u.Username, t.ExpiresAt.Format(time.RFC3339))
	fmt.Fprintf(env.Stdout, "  token: %s   (hanya ditampilkan sekali; simpan sekarang)\n", plain)
	fmt.Fprintln(env.Stdout, "  Pakai: Authorization: Bearer TOKEN")
	return nil
}

func tokensList(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("tokens list", env, "tokens list --username U")
	var df dbFlags
	df.register(fs, env)
	username := fs.String("username", "", "the account whose tokens to list")
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
	list, err := svc.Tokens(ctx, u.ID)
	if err != nil {
		return err
	}
	now := svc.Now()
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAMA\tAWALAN\tDIBUAT\tBERLAKU SAMPAI\tTERAKHIR DIPAKAI\tSTATUS")
	for _, t := range list {
		used, state := "-", "aktif"
		if t.LastUsedAt != nil {
			used = t.LastUsedAt.Format(time.RFC3339)
		}
		switch {
		case t.RevokedAt != nil:
			state = "dicabut"
		case !t.Active(now):
			state = "kedaluwarsa"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s…\t%s\t%s\t%s\t%s\n", t.ID, t.Name, t.Prefix, t.CreatedAt.Format(time.RFC3339),
			t.ExpiresAt.Format(time.RFC3339), used, state)
	}
	return tw.Flush()
}

func tokensRevoke(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("tokens revoke", env, "tokens revoke --id N")
	var df dbFlags
	df.register(fs, env)
	id := fs.String("id", "", "the token's ID (from tokens list)")
	if err := parse(fs, args); err != nil {
		return err
	}
	n, err := strconv.ParseInt(*id, 10, 64)
	if err != nil || n <= 0 || fs.NArg() > 0 {
		fs.Usage()
		return errUsage
	}
	db, err := df.open(ctx, env, false)
	if err != nil {
		return err
	}
	defer db.Close()
	t, err := auth.New(db).RevokeToken(ctx, n)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Token %d (%s) milik %s dicabut.\n", t.ID, t.Name, t.Username)
	return nil
}
