package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/citychain/citychain/cmd/citychain/devnet"
	"github.com/citychain/citychain/cmd/citychain/devnet/mqttauth"
)

// newMQTTCmd is `citychain mqtt`: Mosquitto password and ACL files for the
// broker (the same files secure the devnet's embedded broker).
func newMQTTCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "mqtt",
		Short: "Write the MQTT broker's password_file and acl_file (Mosquitto's formats; see docs/mqtt-security.md)",
	}
	cmd.AddCommand(newMQTTPasswdCmd(g), newMQTTACLCmd(g))
	return cmd
}

func newMQTTPasswdCmd(g *globals) *cobra.Command {
	var (
		file  string
		stdin bool
	)
	cmd := &cobra.Command{
		Use:   "passwd USER",
		Short: "Add USER to a Mosquitto password file, or change the user's password ($7$ PBKDF2-SHA512, as mosquitto_passwd)",
		Long: `Adds USER to --file (created if missing) or replaces the user's password.
With --stdin the password is the first line of standard input; otherwise a
random one is generated and printed.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if file == "" {
				return errors.New("--file: name the password file")
			}
			pw, err := loadOrNewPasswords(file)
			if err != nil {
				return err
			}
			password, generated := "", false
			if stdin {
				line, err := bufio.NewReader(cmd.InOrStdin()).ReadString('\n')
				if err != nil && line == "" {
					return fmt.Errorf("--stdin: no password on standard input: %w", err)
				}
				password = strings.TrimRight(line, "\r\n")
			} else {
				password, generated = mqttauth.NewPassword(), true
			}
			if err := pw.Set(args[0], password); err != nil {
				return err
			}
			if err := pw.Save(file); err != nil {
				return err
			}
			if generated {
				fmt.Fprintf(g.out, "%s %s\n", args[0], password)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&file, "file", "", "the password file (Mosquitto password_file)")
	cmd.Flags().BoolVar(&stdin, "stdin", false, "read the password from standard input instead of generating one")
	return cmd
}

func newMQTTACLCmd(g *globals) *cobra.Command {
	var (
		gateways              []string
		settlement, observers []string
		devnetHome            string
		gatewaySize           int
		aclFile, passwdFile   string
	)
	cmd := &cobra.Command{
		Use:   "acl",
		Short: "Write the broker's ACL for citychain's gateways, settlement and observers, and add them to the password file",
		Long: `Writes --acl-file: each gateway (--gateway gw-01=inv01,inv02, repeated) may
publish only its own devices' readings (citychain/v1/readings/<device>) and
its own status (citychain/v1/status/<gateway> and .../alarm); each
--settlement user may read every reading (also as $share/<group>/...); each
--observer may read every topic. --devnet HOME takes the gateways from a devnet
manifest (--gateway-size devices per gateway). With --passwd-file, users not
yet in it are added with random passwords, printed as "user password".`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if aclFile == "" {
				return errors.New("--acl-file: name the ACL file to write")
			}
			u := mqttauth.Users{Settlement: settlement, Observers: observers}
			for _, s := range gateways {
				gw, err := mqttauth.ParseGateway(s)
				if err != nil {
					return fmt.Errorf("--gateway: %w", err)
				}
				u.Gateways = append(u.Gateways, gw)
			}
			if devnetHome != "" {
				path := filepath.Join(devnetHome, "devnet.json")
				b, err := os.ReadFile(path)
				if err != nil {
					return fmt.Errorf("--devnet: %w", err)
				}
				var m devnet.Manifest
				if err := json.Unmarshal(b, &m); err != nil {
					return fmt.Errorf("--devnet: manifest %s: %w", path, err)
				}
				u.Gateways = append(u.Gateways, devnet.Gateways(m.Devices, gatewaySize)...)
			}
			if len(u.Names()) == 0 {
				return errors.New("no users: pass --gateway, --devnet, --settlement or --observer")
			}
			text, err := u.ACLFile()
			if err != nil {
				return err
			}
			if err := os.WriteFile(aclFile, []byte(text), 0o600); err != nil {
				return fmt.Errorf("--acl-file: %w", err)
			}
			if passwdFile == "" {
				return nil
			}
			pw, err := loadOrNewPasswords(passwdFile)
			if err != nil {
				return err
			}
			have := map[string]bool{}
			for _, n := range pw.Users() {
				have[n] = true
			}
			for _, n := range u.Names() {
				if have[n] {
					continue
				}
				p := mqttauth.NewPassword()
				if err := pw.Set(n, p); err != nil {
					return err
				}
				fmt.Fprintf(g.out, "%s %s\n", n, p)
			}
			return pw.Save(passwdFile)
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&gateways, "gateway", nil, "a gateway and its devices, NAME=DEVICE[,DEVICE...] (repeat per gateway)")
	f.StringArrayVar(&settlement, "settlement", nil, "a settlement user (reads all readings)")
	f.StringArrayVar(&observers, "observer", nil, "an observer user (reads every topic)")
	f.StringVar(&devnetHome, "devnet", "", "take the gateways from this devnet home's manifest")
	f.IntVar(&gatewaySize, "gateway-size", 5, "devices per gateway with --devnet (the devnet's --gateway-size)")
	f.StringVar(&aclFile, "acl-file", "", "the ACL file to write (Mosquitto acl_file)")
	f.StringVar(&passwdFile, "passwd-file", "", "the password file to add missing users to (created if missing)")
	return cmd
}

func loadOrNewPasswords(path string) (*mqttauth.Passwords, error) {
	pw, err := mqttauth.LoadPasswords(path)
	if errors.Is(err, os.ErrNotExist) {
		return new(mqttauth.Passwords), nil
	}
	return pw, err
}
