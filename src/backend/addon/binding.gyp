{
  "targets": [
    {
      "target_name": "qubit_rx_host",
      "sources": ["addon.c", "im2col.c", "sgemm.c"],
      "cflags": ["-O3", "-std=gnu11", "-Wall"],
      "cflags!": ["-O2"],
      "libraries": ["-lpthread"]
    }
  ]
}
