#!/bin/bash
# The host's sshd in the foreground (the entrypoint runs this under tini and timeout). The host
# outlives it: sshd runs as root, so only root can stop it, and root is the learner's on some
# servers (sshd-hardening), where a broken configuration reloaded with SIGHUP ends the listener.
# Then, as on a real server, the open sessions go on and root can start sshd again
# (/usr/sbin/sshd); a lost host would take the learner's work with it.
/usr/sbin/sshd -D -e
echo "lab-sshd: sshd exited with status $?; the host stays up without it until its lifetime ends" >&2
exec sleep infinity
