package labour_test

import (
	"crypto/ed25519"
	"encoding/json"

	"github.com/citychain/citychain/chain/app/apptest"
)

func edSign(k apptest.Key, msg []byte) []byte { return ed25519.Sign(k.Priv, msg) }

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
