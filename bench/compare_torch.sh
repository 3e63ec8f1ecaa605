#!/usr/bin/env bash
# compare_torch.sh — gashell's engine against tuned PyTorch on this machine, the same
# thread count on both sides, in one run: PyTorch's tuned.py (the MLP) and cnn_tuned.py
# (the CNN) first, then gabench with both files of PyTorch's figures, which prints both
# sides, the ratios and the PASS / MISS checks, the CNN's table included.
#
#   bench/compare_torch.sh                 threads 2
#   bench/compare_torch.sh --threads "2 1" threads 2, then 1
#   bench/compare_torch.sh --quick         one timed epoch a side (and gabench --quick);
#                                          for the CNN one run of 1,280 samples a configuration
#   bench/compare_torch.sh --runs 3        both sides 3 times in turn, then every run's checks:
#                                          the machine is shared, so look at the spread
#   bench/compare_torch.sh --no-cnn        the MLP only: no cnn_tuned.py, gabench --no-cnn
#   bench/compare_torch.sh -- --no-rss     anything after -- goes to gabench (-- --no-cnn
#                                          skips cnn_tuned.py too)
#
# The CNN's timed runs match gabench's: --epochs runs (5; 1 with --quick) of 6,400 samples
# (1,280 with --quick) at 64, 16 × 4 and 16, each side's median.
#
# Environment: TORCH_PYTHON (default python3) runs PyTorch (torch and torchvision, which
# tuned.py reads the data with; cnn_tuned.py needs torch alone); TUNED_PY is tuned.py;
# CNN_TUNED_PY is cnn_tuned.py (default: beside tuned.py); FASHION_MNIST_GZ holds the four
# .gz files (cnn_tuned.py reads /usr/share/datasets/fashion-mnist itself); SWIFT is the
# swift driver; GABENCH, if set, is a gabench already built (nothing is built then).
set -euo pipefail
cd "$(dirname "$0")/.."

python=${TORCH_PYTHON:-python3}
# The shared reference folder sits beside the repository (as in CI and on developer machines).
tuned=${TUNED_PY:-$(cd "$(dirname "$0")/.." && pwd)/../shared/reference/pytorch/tuned.py}
cnn_tuned=${CNN_TUNED_PY:-$(dirname "$tuned")/cnn_tuned.py}
gz=${FASHION_MNIST_GZ:-/usr/share/datasets/fashion-mnist}
threads="2"
epochs=5
runs=1
quick=()
cnn=yes  # no: --no-cnn (passed on to gabench); given: -- --no-cnn (already among gabench's options)
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) threads=$2; shift 2 ;;
    --epochs) epochs=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --quick) quick=(--quick); epochs=1; shift ;;
    --no-cnn) cnn=no; shift ;;
    --) shift; break ;;
    *) echo "usage: $0 [--threads \"2 1\"] [--epochs N] [--runs N] [--quick] [--no-cnn] [-- gabench options]" >&2; exit 2 ;;
  esac
done
for option in "$@"; do [ "$option" != --no-cnn ] || cnn=given; done
cnn_samples=6400
[ ${#quick[@]} -eq 0 ] || cnn_samples=1280

if ! "$python" -c "import torch, torchvision" 2>/dev/null; then
  echo "PyTorch (torch, and torchvision for tuned.py) is not importable by $python. Install it from PyPI (the user's step, not the project's):"
  echo "  $python -m pip install torch torchvision"
  echo "or into a virtual environment, then point this script at it:"
  echo "  python3 -m venv ~/torchenv && ~/torchenv/bin/pip install torch torchvision"
  echo "  TORCH_PYTHON=~/torchenv/bin/python $0"
  exit 1
fi
[ -f "$tuned" ] || { echo "tuned.py not found at $tuned (set TUNED_PY)" >&2; exit 1; }
[ "$cnn" != yes ] || [ -f "$cnn_tuned" ] || { echo "cnn_tuned.py not found at $cnn_tuned (set CNN_TUNED_PY, or --no-cnn)" >&2; exit 1; }

# torchvision reads the decompressed IDX files from $PEERS_DATA/FashionMNIST/raw.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/FashionMNIST/raw"
for name in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  [ -f "$gz/$name.gz" ] || { echo "missing $gz/$name.gz (apt-get install dataset-fashion-mnist, or set FASHION_MNIST_GZ)" >&2; exit 1; }
  zcat "$gz/$name.gz" > "$work/FashionMNIST/raw/$name"
done

gabench=${GABENCH:-}
if [ -z "$gabench" ]; then
  ${SWIFT:-swift} build -c release --product gabench 2>&1 | tail -1
  gabench=.build/release/gabench
fi

echo "OpenBLAS environment: $(env | grep '^OPENBLAS_' | tr '\n' ' ')"
for run in $(seq 1 "$runs"); do
  for t in $threads; do
    label="threads $t, run $run of $runs"
    echo
    echo "=== PyTorch, tuned.py, $label ===   load average: $(cut -d' ' -f1-3 /proc/loadavg)"
    PEERS_DATA="$work" "$python" "$tuned" --threads "$t" --repeats "$epochs" --json "$work/torch-$t.json"
    figures=(--torch-json "$work/torch-$t.json")
    if [ "$cnn" = yes ]; then
      echo
      echo "=== PyTorch, cnn_tuned.py, $label ===   load average: $(cut -d' ' -f1-3 /proc/loadavg)"
      "$python" "$cnn_tuned" "$t" --batches 64:1,16:4,16:1 --samples "$cnn_samples" --rounds "$epochs" \
        | tee "$work/torch-cnn-$t.json"
      figures+=(--torch-cnn-json "$work/torch-cnn-$t.json")
    elif [ "$cnn" = no ]; then
      figures+=(--no-cnn)
    fi
    echo
    echo "=== gashell engine, gabench, $label ===   load average: $(cut -d' ' -f1-3 /proc/loadavg)"
    "$gabench" --threads "$t" --epochs "$epochs" ${quick[@]+"${quick[@]}"} "${figures[@]}" "$@" \
      | tee "$work/gabench-$t-$run.txt"
  done
done

if [ "$runs" -gt 1 ]; then
  echo
  echo "=== every run's checks ==="
  for t in $threads; do
    for run in $(seq 1 "$runs"); do
      echo "threads $t, run $run:"
      grep -E '^  (PASS|MISS|SKIP)' "$work/gabench-$t-$run.txt" || true
    done
  done
fi
