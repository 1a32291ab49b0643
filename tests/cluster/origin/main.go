// Command origin is the web site behind the proxy in the end-to-end suite. Every response names
// the host and path that were asked for, so a test sees which request reached it:
//
//	GET /anything  → 200 "origin <pod> saw <Host> <path>"
//	GET /status/N  → status N
//	GET /bytes/N   → N bytes (throughput runs)
//
// It serves plain HTTP on -http and, when -tls-cert and -tls-key name readable files, HTTPS on
// -https. It stops on SIGTERM after finishing in-flight requests.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	httpAddr := flag.String("http", ":8080", "plain HTTP listen address")
	httpsAddr := flag.String("https", ":8443", "HTTPS listen address (with -tls-cert and -tls-key)")
	certFile := flag.String("tls-cert", "/etc/origin/tls/tls.crt", "PEM certificate for HTTPS")
	keyFile := flag.String("tls-key", "/etc/origin/tls/tls.key", "PEM key for HTTPS")
	flag.Parse()
	name, _ := os.Hostname()

	mux := http.NewServeMux()
	mux.HandleFunc("/status/", func(w http.ResponseWriter, r *http.Request) {
		code, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/status/"))
		if err != nil || code < 200 || code > 599 {
			http.Error(w, "status must be 200..599", http.StatusBadRequest)
			return
		}
		w.WriteHeader(code)
		fmt.Fprintf(w, "origin %s status %d\n", name, code)
	})
	mux.HandleFunc("/bytes/", func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/bytes/"))
		if err != nil || n < 0 || n > 64<<20 {
			http.Error(w, "bytes must be 0..67108864", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Length", strconv.Itoa(n))
		chunk := []byte(strings.Repeat("x", 32<<10))
		for n > 0 {
			k := min(n, len(chunk))
			if _, err := w.Write(chunk[:k]); err != nil {
				return
			}
			n -= k
		}
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Origin", name)
		fmt.Fprintf(w, "origin %s saw %s %s\n", name, r.Host, r.URL.Path)
	})

	servers := []*http.Server{{Addr: *httpAddr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}}
	_, certErr := os.Stat(*certFile)
	_, keyErr := os.Stat(*keyFile)
	tls := *httpsAddr != "" && certErr == nil && keyErr == nil
	if tls {
		servers = append(servers, &http.Server{Addr: *httpsAddr, Handler: mux, ReadHeaderTimeout: 10 * time.Second})
	}
	errs := make(chan error, len(servers))
	for i, s := range servers {
		go func() {
			var err error
			if i == 1 {
				log.Printf("origin %s serving HTTPS on %s", name, s.Addr)
				err = s.ListenAndServeTLS(*certFile, *keyFile)
			} else {
				log.Printf("origin %s serving HTTP on %s", name, s.Addr)
				err = s.ListenAndServe()
			}
			if !errors.Is(err, http.ErrServerClosed) {
				errs <- err
			}
		}()
	}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	select {
	case err := <-errs:
		log.Fatalf("origin: %v", err)
	case sig := <-stop:
		log.Printf("origin: %v, shutting down", sig)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, s := range servers {
		_ = s.Shutdown(ctx)
	}
}
