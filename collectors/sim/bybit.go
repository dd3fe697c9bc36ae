package sim

import "net/http"

// registerBybit serves bybit's endpoints. Placeholder until the bybit simulator lands.
func registerBybit(mux *http.ServeMux, w *World) {}
