package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strconv"
)

// signature is the X-Rivalwatch-Signature value: an HMAC-SHA256 over
// "<timestamp>.<body>", so a receiver that rejects old timestamps also
// rejects a captured request replayed later.
func signature(secret string, ts int64, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(strconv.FormatInt(ts, 10)))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// larkSign is a Lark (Feishu) custom bot's signature: the HMAC-SHA256 key
// is "<timestamp>\n<secret>" and the message is empty, as Lark documents.
func larkSign(secret string, ts int64) string {
	mac := hmac.New(sha256.New, []byte(strconv.FormatInt(ts, 10)+"\n"+secret))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}
