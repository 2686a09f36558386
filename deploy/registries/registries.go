// Package registries holds the city registries that ship as data: each
// NAME.json file here is a tx.RegistryDef (record schema, roles, states and
// transitions, privacy class, indexes, limits) that an agency proposes and
// the authorities enable on a running chain, with no code of its own in the
// node. The devnet's registry story loads every one of them; docs/registry.md
// walks through them.
//
// This package only embeds and lists the files: nothing in it knows a
// registry. examples/NAME/ holds records that each definition's schema
// accepts (valid-*.json) or refuses (invalid-*.json, the expected error
// path in examples/NAME/expect.json); the package's test checks both.
package registries

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/citychain/citychain/chain/regschema"
	"github.com/citychain/citychain/chain/tx"
)

//go:embed *.json
var files embed.FS

// Def is one shipped definition, as the file holds it.
type Def struct {
	// Name is the definition's name (its file is Name + ".json").
	Name string
	// File is the file's name in this folder.
	File string
	// Raw is the file's content: a tx.RegistryDef in JSON.
	Raw []byte
}

// All returns every shipped definition, in file name order. Raw is the
// caller's copy.
func All() []Def {
	entries, err := fs.ReadDir(files, ".")
	if err != nil {
		panic(fmt.Sprintf("registries: embedded files: %v", err)) // the embed is fixed at build time
	}
	var out []Def
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".json" {
			continue
		}
		raw, err := files.ReadFile(e.Name())
		if err != nil {
			panic(fmt.Sprintf("registries: embedded file %s: %v", e.Name(), err))
		}
		out = append(out, Def{Name: strings.TrimSuffix(e.Name(), ".json"), File: e.Name(), Raw: raw})
	}
	slices.SortFunc(out, func(a, b Def) int { return strings.Compare(a.File, b.File) })
	return out
}

// Names lists the shipped definitions' names, sorted.
func Names() []string {
	var out []string
	for _, d := range All() {
		out = append(out, d.Name)
	}
	return out
}

// Get returns the raw definition named name (the file name.json).
func Get(name string) ([]byte, bool) {
	if name == "" || strings.ContainsAny(name, "/\\.") {
		return nil, false
	}
	raw, err := files.ReadFile(name + ".json")
	if err != nil {
		return nil, false
	}
	return raw, true
}

// Parse decodes and validates d with tx.ParseRegistryDef, exactly as the
// chain checks a proposed definition, and checks that the definition's
// name is its file's.
func (d Def) Parse() (*tx.RegistryDef, *regschema.Schema, error) {
	def, s, err := tx.ParseRegistryDef(d.Raw)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", d.File, err)
	}
	if def.Name != d.Name {
		return nil, nil, fmt.Errorf("%s: definition name %q, want %q (the file's name)", d.File, def.Name, d.Name)
	}
	return def, s, nil
}

// Load parses every shipped definition (Parse), in file name order.
func Load() ([]*tx.RegistryDef, error) {
	var out []*tx.RegistryDef
	for _, d := range All() {
		def, _, err := d.Parse()
		if err != nil {
			return nil, err
		}
		out = append(out, def)
	}
	return out, nil
}
