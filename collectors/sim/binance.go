package sim

import "net/http"

// registerBinance serves binance's endpoints. Placeholder until the binance simulator lands.
func registerBinance(mux *http.ServeMux, w *World) {}
