#!/usr/bin/python3
"""Drives `kubectl exec -it ... -- sh` through a pseudo-terminal, as a user at a terminal would:
starts kubectl on a pty of 30 rows x 100 columns, asks the remote shell for `tty` and `stty size`,
resizes the terminal to 40 x 120 (SIGWINCH to kubectl), asks `stty size` again, exits with 7.
Prints everything the terminal showed, then "EXIT <code>" of kubectl. Usage: tty_driver.py ARGV..."""
import fcntl, os, pty, select, signal, struct, sys, termios, time

def set_size(fd, rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))

pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
set_size(fd, 30, 100)
os.kill(pid, signal.SIGWINCH)
out = b""

def read_until(token, timeout=30, also=None):
    global out
    deadline = time.time() + timeout
    while token not in out and (also is None or also not in out) and time.time() < deadline:
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            try:
                data = os.read(fd, 65536)
            except OSError:
                return False
            if not data:
                return False
            out += data
    return token in out

read_until(b"$ ", also=b"# ")  # the shell's prompt: it reads commands now
os.write(fd, b"tty; echo T''TY-DONE\n")
read_until(b"TTY-DONE")
os.write(fd, b"stty size; echo S''IZE1-DONE\n")
read_until(b"SIZE1-DONE")
set_size(fd, 40, 120)
os.kill(pid, signal.SIGWINCH)
# kubectl forwards the resize asynchronously: ask until the new size shows (with a deadline).
for i in range(100):
    os.write(fd, b"stty size; echo S''IZE2-%d\n" % i)
    read_until(b"SIZE2-%d" % i)
    if b"40 120" in out:
        break
    time.sleep(0.1)
os.write(fd, b"exit 7\n")
read_until(b"\x00never", timeout=10)
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode("utf-8", "replace"))
print("\nEXIT", os.waitstatus_to_exitcode(status))
