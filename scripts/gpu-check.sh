#!/usr/bin/env bash
# GPU device check (issue 14), for a freshly lent GPU machine with this repository copied to it:
#   1. installs the lockfile's packages if node_modules is missing (npm ci: webgpu ships dawn.node);
#   2. prints the machine: nvidia-smi, Vulkan loader and ICDs (Dawn's Linux backend), Dawn's adapter;
#   3. runs the webgpu correctness suite (test/backend/webgpu.test.ts: losses and gradients on
#      webgpu against wasm; skipped with Dawn's reason where there is no adapter);
#   4. times the showcase, the large configuration and the image VAEs on webgpu, wasm, PyTorch CUDA
#      and PyTorch CPU (bench/gpu-check.ts), and writes the Markdown report to $OUT/gpu-check.md
#      (bench/gpu-check.md when OUT is unset), with the log beside it.
# Every stage has its own time cap and the whole script ends within about 8½ minutes (the device
# tool allows 10 per command). It exits 0 whenever the report was written, adapter or not.
set -uo pipefail
cd "$(dirname "$0")/.."

start=$(date +%s)
deadline=$((start + ${GPU_CHECK_SECONDS:-500}))
left() { echo $((deadline - $(date +%s))); }
min() { if [ "$1" -lt "$2" ]; then echo "$1"; else echo "$2"; fi; }

out_dir=${OUT:-bench}
mkdir -p "$out_dir"
report="$out_dir/gpu-check.md"
log="$out_dir/gpu-check.log"
rm -f "$report"
preamble=$(mktemp)
trap 'rm -f "$preamble"' EXIT
exec > >(tee "$log") 2>&1

say() { echo "gpu-check: $*"; }
note() { echo "$*" >>"$preamble"; }

note "# GPU device check ($(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown))"
note ""

if [ ! -d node_modules ]; then
  say "node_modules missing: npm ci (at most $(min 200 "$(left)") s)"
  if ! timeout "$(min 200 "$(left)")" npm ci --no-audit --no-fund; then
    note "npm ci failed or ran past its cap: nothing could be measured."
    cp "$preamble" "$report"
    say "npm ci failed; wrote $report"
    exit 1
  fi
fi

say "machine"
note "## Machine"
note ""
if command -v nvidia-smi >/dev/null 2>&1; then
  gpu=$(timeout 30 nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap --format=csv,noheader 2>&1 | head -4)
  nvidia-smi 2>&1 | head -15
else
  gpu="no nvidia-smi on PATH"
fi
echo "$gpu"
note "- GPU (nvidia-smi): ${gpu//$'\n'/; }"
note "- CPU: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'); node $(node --version); $(grep -m1 PRETTY_NAME /etc/os-release 2>/dev/null | cut -d= -f2 | tr -d '"')"
vk_loader=$(ldconfig -p 2>/dev/null | grep -m1 -o 'libvulkan.so.1 .*' || true)
vk_icds=$(ls /usr/share/vulkan/icd.d /etc/vulkan/icd.d 2>/dev/null | grep -i json | tr '\n' ' ' || true)
echo "vulkan loader: ${vk_loader:-none}; ICDs: ${vk_icds:-none}"
note "- Vulkan (Dawn's backend on Linux): loader ${vk_loader:-not found (libvulkan.so.1)}; ICD files ${vk_icds:-none in /usr/share/vulkan/icd.d, /etc/vulkan/icd.d}"

probe=$(timeout 60 npx tsx bench/gpu-check.ts --probe 2>/dev/null | tail -1)
echo "dawn probe: ${probe:-no answer}"
note "- Dawn (npm webgpu $(node -p 'require("./node_modules/webgpu/package.json").version' 2>/dev/null || echo '?')): ${probe:-the probe gave no answer}"
note ""

suite_cap=$(min 120 $(($(left) - 120)))
note "## Correctness suite (test/backend/webgpu.test.ts, webgpu against wasm)"
note ""
if [ "$suite_cap" -lt 20 ]; then
  say "no time left for the correctness suite"
  note "not run: no time left in the budget"
else
  say "correctness suite (at most $suite_cap s)"
  suite_out=$(timeout "$suite_cap" npx vitest run test/backend/webgpu.test.ts --reporter=verbose 2>&1)
  suite_rc=$?
  echo "$suite_out"
  clean=$(printf '%s\n' "$suite_out" | sed 's/\x1b\[[0-9;]*m//g')
  note '```'
  # Test names without the suite's long name (which repeats Dawn's reason on every line).
  printf '%s\n' "$clean" | grep -E '✓|×|↓|skipped|Tests |Test Files|FAIL|AssertionError' \
    | sed -E 's/webgpu against wasm, same weights and data \(.*\) > //' | head -30 >>"$preamble"
  note '```'
  [ "$suite_rc" -eq 124 ] && note "the suite ran past its ${suite_cap} s cap"
  note "exit code $suite_rc"
fi
note ""

timing=$(($(left) - 15))
if [ "$timing" -lt 30 ]; then
  say "no time left for the timings"
  note "## Timings"
  note ""
  note "not run: no time left in the budget"
  cp "$preamble" "$report"
else
  say "timings (budget $timing s)"
  timeout $((timing + 10)) npx tsx bench/gpu-check.ts --budget "$timing" --preamble "$preamble" --out "$report" >/dev/null
  rc=$?
  if [ "$rc" -ne 0 ] || [ ! -s "$report" ]; then
    note "## Timings"
    note ""
    note "bench/gpu-check.ts failed (exit $rc); see gpu-check.log"
    cp "$preamble" "$report"
  fi
fi
say "wrote $report and $log in $(( $(date +%s) - start )) s"
cat "$report"
exit 0
