#!/usr/bin/env bash
# The CUDA check of issue #13, for any Linux x86-64 machine with an NVIDIA GPU: installs the CUDA provider
# from files it is given (no download), runs `doctor --ep cuda`, the CUDA tests (test/cuda-gpu.test.ts with
# ONNX_BATCH_TEST_CUDA=1) and the GPU benchmark (`bench/run.mjs --ep cuda`), and writes every log into one
# folder, with summary.txt saying which step passed. Run it from a checkout where `npm ci` has run (or with
# node_modules and dist/ brought along): this script downloads nothing.
set -u

usage() {
  cat <<'EOF'
Usage: scripts/gpu-check.sh [options]

  --provider FILE   the CUDA provider package, as `npm pack com.github.asus4.onnxruntime.linux-x64-gpu@0.4.9`
                    writes it (.tgz), as a .tar, or zstd-compressed (.tar.zst, .tgz.zst); installed with
                    `onnx-batch setup cuda --from`. Without it the provider must already be installed.
  --node PATH       the Node binary to use (20 or later), or the folder holding it (default: node on PATH)
  --cuda-libs DIR   a folder with the CUDA 13 / cuDNN 9 user-space libraries (libcudart.so.13, libcublas.so.13,
                    libcudnn.so.9, ...), put first on LD_LIBRARY_PATH; repeatable
  --out DIR         where the logs go (default: gpu-check-<UTC time>)
  --quick           the benchmark at small sizes (about a minute), for a first look
  --skip-bench      doctor and tests only
  -h, --help        this text

Exit status: 0 every step passed; 1 a step failed (see DIR/summary.txt); 2 bad usage or a missing file;
3 this machine cannot run the check (no NVIDIA GPU visible, no Node 20, no node_modules).
EOF
}

die() { # exit status, message
  printf 'gpu-check: %s\n' "$2" >&2
  [ -n "${summary:-}" ] && printf 'stopped: %s\n' "$2" >>"$summary"
  exit "$1"
}

provider='' node='' out='' quick=0 skip_bench=0
cuda_libs=()
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --provider|--node|--cuda-libs|--out)
      [ $# -ge 2 ] && [ -n "$2" ] || die 2 "$1 needs a value (see --help)"
      case "$1" in
        --provider) provider=$2 ;;
        --node) node=$2 ;;
        --cuda-libs) cuda_libs+=("$2") ;;
        --out) out=$2 ;;
      esac
      shift 2 ;;
    --quick) quick=1; shift ;;
    --skip-bench) skip_bench=1; shift ;;
    *) die 2 "unknown option '$1' (see --help)" ;;
  esac
done

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo" || die 2 "cannot enter $repo"

# Files given must exist before anything is written.
[ -z "$provider" ] || [ -f "$provider" ] || die 2 "--provider $provider: no such file"
provider=${provider:+$(cd "$(dirname "$provider")" && pwd)/$(basename "$provider")}
for dir in "${cuda_libs[@]}"; do [ -d "$dir" ] || die 2 "--cuda-libs $dir: no such folder"; done
if [ -n "$node" ]; then
  [ -d "$node" ] && node=$node/node
  [ -x "$node" ] || die 2 "--node $node: not an executable file"
else
  node=$(command -v node) || die 3 "no node on PATH: give --node PATH (Node 20 or later)"
fi

out=${out:-gpu-check-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$out" || die 2 "cannot create $out"
out=$(cd "$out" && pwd)
summary=$out/summary.txt
: >"$summary"
note() { printf '%s\n' "$*" | tee -a "$summary"; }

note "gpu-check $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -srm), repository $repo"
# The machine: Linux x86-64 (the provider's build), Node 20+, installed packages, an NVIDIA driver and GPU.
[ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ] || die 3 "the CUDA provider is built for Linux x86-64, this is $(uname -s)-$(uname -m)"
node_major=$("$node" -p 'process.versions.node.split(".")[0]' 2>/dev/null) || die 3 "$node does not run"
[ "$node_major" -ge 20 ] 2>/dev/null || die 3 "$node is Node $node_major; onnx-batch needs 20 or later"
note "node      $node ($("$node" --version))"
[ -d node_modules/onnxruntime-node ] || die 3 "node_modules is missing: run npm ci (ONNXRUNTIME_NODE_INSTALL=skip) where the registry is reachable, and bring node_modules along"
if command -v nvidia-smi >/dev/null 2>&1; then
  nvidia-smi >"$out/nvidia-smi.txt" 2>&1 || die 3 "nvidia-smi fails (see $out/nvidia-smi.txt): no usable NVIDIA GPU here"
  note "gpus      $(nvidia-smi --query-gpu=index,name,memory.total,driver_version --format=csv,noheader 2>/dev/null | paste -sd ';' -)"
elif [ -d /proc/driver/nvidia/gpus ]; then
  note "gpus      $(ls /proc/driver/nvidia/gpus | wc -l) in /proc/driver/nvidia (no nvidia-smi)"
else
  die 3 "no NVIDIA GPU is visible (no nvidia-smi, no /proc/driver/nvidia/gpus): run this on a GPU machine"
fi

if [ ${#cuda_libs[@]} -gt 0 ]; then
  joined=$(IFS=:; echo "${cuda_libs[*]}")
  export LD_LIBRARY_PATH="$joined${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  note "libraries LD_LIBRARY_PATH=$LD_LIBRARY_PATH"
fi
export PATH="$(dirname "$node"):$PATH"

failed=0
# step NAME LOGFILE COMMAND...: runs it with its output in LOGFILE, and records the result.
step() {
  local name=$1 log=$2
  shift 2
  local start=$SECONDS
  "$@" >"$out/$log" 2>&1
  local status=$?
  if [ $status -eq 0 ]; then note "ok        $name ($((SECONDS - start)) s, $log)"; else note "FAILED    $name: exit $status ($((SECONDS - start)) s, see $log)"; failed=1; fi
  return $status
}

[ -f dist/src/cli/main.js ] && [ -f dist/test/cuda-gpu.test.js ] || step 'build (tsc)' build.txt "$node" node_modules/typescript/bin/tsc -p . || die 1 "the build failed (see $out/build.txt)"

if [ -n "$provider" ]; then
  tarball=$provider
  case "$provider" in
    *.zst)
      command -v zstd >/dev/null 2>&1 || die 3 "$provider is zstd-compressed and zstd is not installed"
      tarball=$out/provider.tar
      # A .tgz compressed again is decompressed to the .tgz; `setup cuda` reads gzip or plain tar alike.
      step 'decompress provider' decompress.txt zstd -d -f --long=31 -o "$tarball" "$provider" || die 1 "cannot decompress $provider" ;;
  esac
  step 'setup cuda --from' setup.txt "$node" bin/onnx-batch.js setup cuda --from "$tarball"
  [ "$tarball" = "$provider" ] || rm -f "$tarball"
fi

step 'doctor --ep cuda' doctor.txt "$node" bin/onnx-batch.js doctor --ep cuda
"$node" bin/onnx-batch.js doctor --ep cuda --json >"$out/doctor.json" 2>>"$out/doctor.txt"

step 'CUDA tests (ONNX_BATCH_TEST_CUDA=1)' tests.txt env ONNX_BATCH_TEST_CUDA=1 "$node" --test dist/test/cuda-gpu.test.js

if [ $skip_bench -eq 0 ]; then
  bench_args=(--ep cuda --rounds 2 --dir "$out/bench-data" --out "$out/bench.json")
  [ $quick -eq 1 ] && bench_args+=(--quick)
  step "GPU benchmark (bench/run.mjs ${bench_args[*]})" bench.txt "$node" bench/run.mjs "${bench_args[@]}"
  rm -rf "$out/bench-data"
fi

if [ $failed -eq 0 ]; then note "all steps passed; logs in $out"; else note "some steps failed; logs in $out"; fi
exit $failed
