{
  "targets": [
    {
      "target_name": "qubit_rx_host",
      "sources": ["addon.c", "adam.c", "bernoulli.c", "binarize.c", "colsum.c", "im2col.c", "sgemm.c"],
      "cflags": ["-O3", "-std=gnu11", "-Wall", "-ffp-contract=off", "-fno-math-errno"],
      "cflags!": ["-O2"],
      "libraries": ["-lpthread", "-lm"]
    }
  ]
}
