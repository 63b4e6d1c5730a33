# Installs the Debian packages named as arguments when they are missing.
# Packaged services (e.g. prometheus-alertmanager) are kept from starting on install:
# Tocsin's tests start their own instances on 127.0.0.1 with temporary storage.
ensure_packages() {
    local missing=()
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "==> installing missing system packages: ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    local policy=/usr/sbin/policy-rc.d created_policy=""
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
        $sudo chmod +x "$policy"
        created_policy=1
    fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
    local status=$?
    [ -n "$created_policy" ] && $sudo rm -f "$policy"
    return $status
}

# The packages every build needs.
BUILD_PACKAGES=(libsqlite3-dev libcurl4-openssl-dev pkg-config)
