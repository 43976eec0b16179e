// loadgen sends tips at fixed arrival times, whatever the answers (open loop), and prints
// one JSON summary. It is the benchmark's load generator: a Python client spends more CPU per
// request than intake does, which on a 2-core machine would measure the client, not tinbao.
//
//	loadgen -url http://127.0.0.1:8000/api/v1/tips -rate 500 -seconds 10 -body tip.json
//
// The body file is a JSON template; each "{{N}}" in it becomes a fresh number per request so
// every tip names a place of its own.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand"
	"net"
	"net/http"
	"os"
	"sort"
	"strconv"
	"sync"
	"time"
)

type summary struct {
	Offered    float64        `json:"offered_per_s"`
	Sent       int            `json:"sent"`
	Accepted   int            `json:"accepted"`
	AcceptedPS float64        `json:"accepted_per_s"`
	Statuses   map[string]int `json:"statuses"`
	Errors     int            `json:"errors"`           // every answer but 202, and no answer at all
	Transport  int            `json:"transport_errors"` // no answer: refused, reset, timed out
	Late       int            `json:"late_sends"`
	P50        float64        `json:"p50_ms"`
	P90        float64        `json:"p90_ms"`
	P99        float64        `json:"p99_ms"`
	Max        float64        `json:"max_ms"`
	// The same over every answer, refusals (429, 503) included: how long anyone waited.
	AllP50  float64  `json:"all_p50_ms"`
	AllP99  float64  `json:"all_p99_ms"`
	Elapsed float64  `json:"elapsed_s"`
	Codes   []string `json:"codes"`
}

func percentile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	index := int(q * float64(len(sorted)))
	if index >= len(sorted) {
		index = len(sorted) - 1
	}
	return sorted[index]
}

func main() {
	url := flag.String("url", "http://127.0.0.1:8000/api/v1/tips", "where to POST")
	rate := flag.Float64("rate", 100, "arrivals per second")
	seconds := flag.Float64("seconds", 5, "how long to send")
	bodyFile := flag.String("body", "", "JSON template; {{N}} becomes a number per request")
	timeout := flag.Duration("timeout", 30*time.Second, "per-request timeout")
	flag.Parse()

	template, err := os.ReadFile(*bodyFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen: cannot read the body template:", err)
		os.Exit(2)
	}
	parts := bytes.Split(template, []byte("{{N}}"))

	transport := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConns:        4096,
		MaxIdleConnsPerHost: 4096,
		IdleConnTimeout:     90 * time.Second,
	}
	client := &http.Client{Transport: transport, Timeout: *timeout}

	total := int(*rate * *seconds)
	latencies := make([]float64, 0, total)
	acceptedLatencies := make([]float64, 0, total)
	statuses := map[string]int{}
	codes := make([]string, 0, total)
	errors, late := 0, 0
	var mu sync.Mutex
	var wg sync.WaitGroup
	random := rand.New(rand.NewSource(time.Now().UnixNano()))

	started := time.Now()
	interval := float64(time.Second) / *rate
	for i := 0; i < total; i++ {
		due := started.Add(time.Duration(float64(i) * interval))
		if wait := time.Until(due); wait > 0 {
			time.Sleep(wait)
		} else if wait < -10*time.Millisecond {
			late++
		}
		body := bytes.Join(parts, []byte(strconv.Itoa(random.Intn(1_000_000_000))))
		wg.Add(1)
		go func(body []byte) {
			defer wg.Done()
			sent := time.Now()
			request, _ := http.NewRequest(http.MethodPost, *url, bytes.NewReader(body))
			request.Header.Set("Content-Type", "application/json")
			answer, err := client.Do(request)
			if err != nil {
				mu.Lock()
				errors++
				mu.Unlock()
				return
			}
			content, _ := io.ReadAll(answer.Body)
			answer.Body.Close()
			took := float64(time.Since(sent).Microseconds()) / 1000
			var accepted struct {
				TrackingCode string `json:"tracking_code"`
			}
			if answer.StatusCode == http.StatusAccepted {
				_ = json.Unmarshal(content, &accepted)
			}
			mu.Lock()
			latencies = append(latencies, took)
			if answer.StatusCode == http.StatusAccepted {
				acceptedLatencies = append(acceptedLatencies, took)
			}
			statuses[strconv.Itoa(answer.StatusCode)]++
			if accepted.TrackingCode != "" {
				codes = append(codes, accepted.TrackingCode)
			}
			mu.Unlock()
		}(body)
	}
	wg.Wait()
	elapsed := time.Since(started).Seconds()

	sort.Float64s(latencies)
	sort.Float64s(acceptedLatencies)
	result := summary{
		Offered:    *rate,
		Sent:       total,
		Accepted:   statuses["202"],
		AcceptedPS: float64(statuses["202"]) / elapsed,
		Statuses:   statuses,
		Errors:     total - statuses["202"],
		Transport:  errors,
		Late:       late,
		P50:        percentile(acceptedLatencies, 0.50),
		P90:        percentile(acceptedLatencies, 0.90),
		P99:        percentile(acceptedLatencies, 0.99),
		Max:        percentile(acceptedLatencies, 1.0),
		AllP50:     percentile(latencies, 0.50),
		AllP99:     percentile(latencies, 0.99),
		Elapsed:    elapsed,
		Codes:      codes,
	}
	_ = json.NewEncoder(os.Stdout).Encode(result)
}
