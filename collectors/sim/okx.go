package sim

import "net/http"

// registerOKX serves okx's endpoints. Placeholder until the okx simulator lands.
func registerOKX(mux *http.ServeMux, w *World) {}
