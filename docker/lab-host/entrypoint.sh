#!/bin/bash
# Start-up of a lab host. Runs as root with NET_ADMIN and SETPCAP, which it drops before sshd.
# Inputs (environment, removed before sshd starts):
#   SSH_LAB_HOST_KEY      base64 of the OpenSSH ed25519 host private key (made by the backend)
#   SSH_LAB_ADMIN_KEY     the backend's public key, authorised for root and learner from SSH_LAB_ADMIN_FROM only
#   SSH_LAB_ADMIN_FROM    the address the backend connects from (the session network's gateway)
#   SSH_LAB_PASSWORD      learner's password for this session
#   SSH_LAB_PORTS         space-separated sshd ports (default 22)
#   SSH_LAB_FORWARDING    AllowTcpForwarding value: no | local | yes (default no)
#   SSH_LAB_AGENT_FORWARDING  yes | no (default no)
#   SSH_LAB_LIFETIME      seconds before the host ends itself (default 3600)
#   SSH_LAB_KEEP_ROUTE    1 keeps the default route (only for a host-network runtime such as gVisor here)
# When run as PID 1 (the backend starts it so) it ends by exec'ing tini under setpriv, so that no
# process of the container, PID 1 included, keeps NET_ADMIN or SETPCAP.
set -euo pipefail
umask 077

run=/run/ssh-lab
# /etc/ssh/sshd_config.d and /etc/ssh/ca are links into /run/etc-ssh (the root filesystem is read-only).
mkdir -p "$run/authorized_keys" "$run/sshd_config.d" /run/sshd /run/etc-ssh/sshd_config.d /run/etc-ssh/ca
chmod 0755 "$run" "$run/authorized_keys" "$run/sshd_config.d" /run/etc-ssh /run/etc-ssh/sshd_config.d /run/etc-ssh/ca
chmod 0755 /run/sshd

printf '%s' "${SSH_LAB_HOST_KEY:?host key missing}" | base64 -d > "$run/ssh_host_ed25519_key"
chmod 0600 "$run/ssh_host_ed25519_key"

admin_line="from=\"${SSH_LAB_ADMIN_FROM:?admin address missing}\",no-agent-forwarding,no-port-forwarding,no-X11-forwarding ${SSH_LAB_ADMIN_KEY:?admin key missing}"
for user in root learner; do
  printf '%s\n' "$admin_line" > "$run/authorized_keys/$user"
  chmod 0644 "$run/authorized_keys/$user"
done

# /etc/shadow is a link to $run/shadow: the image's entries with learner's password set.
hash=$(perl -e 'my @c = ("a".."z", "A".."Z", 0..9, ".", "/"); my $s = join "", map { $c[rand @c] } 1..16;
                print crypt($ENV{SSH_LAB_PASSWORD}, "\$6\$$s\$")')
day=$(( $(date +%s) / 86400 ))
# root and git have no password ("*"), but are not locked ("!"), which sshd would refuse even for keys.
awk -F: -v OFS=: -v h="$hash" -v d="$day" '$1 == "learner" { $2 = h; $3 = d } $1 == "root" || $1 == "git" { $2 = "*" } { print }' \
  /etc/shadow.image > "$run/shadow"
chmod 0640 "$run/shadow"
chgrp shadow "$run/shadow"

# Homes are on a tmpfs: build them from the skeleton. Root has no CAP_FOWNER here: set modes
# before handing the files to their owner.
home=/home/learner
mkdir -p "$home"
cp -a /etc/skel/. "$home/"
chmod 0750 "$home"
chown -R learner:learner "$home"
mkdir -p /home/root
cp -a /etc/skel/. /home/root/
chmod 0700 /home/root
# The learner's persistent shell: its dtach socket and the bounded record of its screen
# (/usr/local/lib/ssh-lab/attach). On /run, not in the home, so no rm -rf ~ or /tmp cleanup breaks
# reattaching; only learner (the backend logs in as learner) and root can enter it.
mkdir -p "$run/shell"
chmod 0700 "$run/shell"
chown learner:learner "$run/shell"
# git's login shell is git-shell; its home holds only what a lab's setup puts there.
mkdir -p /home/git
chmod 0755 /home/git
chown git:git /home/git

fail() {
  echo "lab-entrypoint: FATAL: $*" >&2
  exit 70
}

forwarding=${SSH_LAB_FORWARDING:-no}
agent=${SSH_LAB_AGENT_FORWARDING:-no}
case "$forwarding" in no | local | remote | yes) ;; *) fail "SSH_LAB_FORWARDING=$forwarding is not no|local|remote|yes" ;; esac
case "$agent" in no | yes) ;; *) fail "SSH_LAB_AGENT_FORWARDING=$agent is not yes|no" ;; esac

{
  for port in ${SSH_LAB_PORTS:-22}; do echo "Port $port"; done
  if [ "$forwarding" = no ] && [ "$agent" = no ]; then
    # Nothing to forward on this host: switch every kind of forwarding off at once.
    echo "DisableForwarding yes"
  fi
  echo "AllowTcpForwarding $forwarding"
  echo "AllowAgentForwarding $agent"
  echo "AllowStreamLocalForwarding no"
  # The backend logs in from the gateway with its own key. Whatever a host's root (sshd-hardening's
  # learner) writes to /etc/ssh/sshd_config.d, these hold for those logins: a matching Match block
  # overrides global lines, the first Match block wins over later ones, and this one is in the first
  # file sshd reads (its scope ends with this file).
  echo "Match Address ${SSH_LAB_ADMIN_FROM}"
  echo "    PubkeyAuthentication yes"
  echo "    AuthenticationMethods any"
  echo "    AuthorizedKeysFile .ssh/authorized_keys /run/ssh-lab/authorized_keys/%u"
  echo "    PermitRootLogin prohibit-password"
} > "$run/sshd_config.d/host.conf"
chmod 0644 "$run/sshd_config.d/host.conf"

# An internal Docker network still hands out a default route via the bridge: remove it so
# nothing leaves the session network (ip route get 192.0.2.1 -> unreachable). A host where that
# fails (no NET_ADMIN, say) must not start at all: the backend then reports the environment failed.
if [ "${SSH_LAB_KEEP_ROUTE:-0}" != 1 ]; then
  ip route del default 2>/dev/null || true
  ip -6 route del default 2>/dev/null || true
  if [ -n "$(ip -4 route show default)" ] || [ -n "$(ip -6 route show default 2>/dev/null)" ]; then
    fail "the default route could not be removed, so this host could reach beyond its session network; refusing to start"
  fi
  # The gateway is this machine's side of the session bridge. Nothing here may open a connection
  # to it, the learner's shell or a forwarding sshd alike (ssh -L 9000:<gateway>:port server);
  # only sshd's replies to the backend, which logs in from that address, pass. The host firewall
  # (SSH_LAB_HOST_FIREWALL) drops such connections on the other side as well.
  gw=${SSH_LAB_ADMIN_FROM}
  priority=100
  for port in ${SSH_LAB_PORTS:-22}; do
    ip rule add priority "$priority" to "$gw" ipproto 6 sport "$port" lookup main \
      || fail "could not let sshd's replies on port $port through to the gateway $gw"
    priority=$(( priority + 1 ))
  done
  ip rule add priority 200 to "$gw" prohibit || fail "could not close the gateway $gw to this host's own connections"
fi

lifetime=${SSH_LAB_LIFETIME:-3600}
unset SSH_LAB_HOST_KEY SSH_LAB_ADMIN_KEY SSH_LAB_ADMIN_FROM SSH_LAB_PASSWORD SSH_LAB_PORTS \
      SSH_LAB_FORWARDING SSH_LAB_AGENT_FORWARDING SSH_LAB_LIFETIME SSH_LAB_KEEP_ROUTE
umask 022
# As PID 1, become tini (it reaps orphans and forwards signals); under an outer init, run directly.
init=()
if [ "$$" = 1 ]; then init=(/usr/bin/tini --); fi
# Drop the two start-up capabilities for good (bounding set, hence effective and permitted after
# exec), then run sshd (lab-sshd: the host outlives a stopped sshd) for at most the session's lifetime.
exec setpriv --bounding-set=-net_admin,-setpcap --inh-caps=-all -- \
  "${init[@]}" timeout --signal=TERM "$lifetime" /usr/local/sbin/lab-sshd
