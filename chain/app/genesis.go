package app

import (
	"bytes"
	"encoding/json"

	"github.com/citychain/citychain/chain/internal/module"
)

// decodeGenesis splits the genesis app state into module sections. Every
// top-level key must name a wired module.
func decodeGenesis(raw []byte, mods []module.Module) (map[string]json.RawMessage, error) {
	sections := map[string]json.RawMessage{}
	if len(bytes.TrimSpace(raw)) == 0 {
		return sections, nil
	}
	if err := json.Unmarshal(raw, &sections); err != nil {
		return nil, ErrInvalidGenesis.Wrapf("app_state: %v", err)
	}
	known := make(map[string]bool, len(mods))
	for _, m := range mods {
		known[m.Name()] = true
	}
	for name := range sections {
		if !known[name] {
			return nil, ErrInvalidGenesis.Wrapf("app_state has a section %q but no module of that name exists", name)
		}
	}
	return sections, nil
}
