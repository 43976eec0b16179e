module tinbao/bench/loadgen

go 1.22
