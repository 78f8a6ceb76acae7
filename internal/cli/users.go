package cli

import (
	"bufio"
	"context"
	"fmt"
	"strings"

	"github.com/kemensos/jaring/internal/auth"
)

func runUsers(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || args[0] != "add" {
		fmt.Fprintln(env.Stderr, "Penggunaan: jaring users add --username U [--role admin] [--region KODE] [--password-stdin]")
		return errUsage
	}
	fs := newFlagSet("users add", env, "users add --username U [--role admin] [--region KODE] [--password-stdin]")
	var df dbFlags
	df.register(fs, env)
	username := fs.String("username", "", "user name")
	role := fs.String("role", auth.RoleAdmin, "role")
	regionCode := fs.String("region", "", "region the user is bound to (empty = nation)")
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if *username == "" {
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
	} else {
		password = auth.GeneratePassword()
	}
	db, err := df.open(ctx, env, false)
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := auth.New(db).CreateUser(ctx, *username, password, *role, *regionCode)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Akun %s (%s) dibuat.\n", u.Username, u.Role)
	if !*fromStdin {
		fmt.Fprintf(env.Stdout, "Kata sandi: %s   (hanya ditampilkan sekali)\n", password)
	}
	return nil
}
