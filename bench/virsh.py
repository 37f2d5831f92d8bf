"""virsh.py: the one way the benchmarks run virsh (bench/live.py,
bench/warm.py)."""
import subprocess


def virsh(uri, *args, check=True):
    """virsh -q -c URI ARGS...: its output; a failure raises unless
    check is False."""
    p = subprocess.run(["virsh", "-q", "-c", uri, *args], capture_output=True,
                       text=True, stdin=subprocess.DEVNULL)
    if check and p.returncode != 0:
        raise RuntimeError(f"virsh {' '.join(args)}: {p.stderr.strip()}")
    return p.stdout
