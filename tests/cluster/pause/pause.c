/*
 * The pod sandbox ("pause") program of the local test node: it holds the pod's namespaces open,
 * reaps every child that is re-parented to it (it is PID 1 when the pod shares its PID namespace)
 * and exits 0 on SIGTERM or SIGINT. Built static (gcc -static) so the image needs no libc.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig) { (void) sig; stop_requested = 1; }

static void on_child(int sig) {
  (void) sig;
  int saved = errno;
  while (waitpid(-1, NULL, WNOHANG) > 0) {
  }
  errno = saved;
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "-v") == 0) {
    puts("cephaloproxy-pause 1.0");
    return 0;
  }
  if (getpid() != 1) {
    fputs("cephaloproxy-pause: warning: not running as PID 1\n", stderr);
  }
  struct sigaction stop = {0};
  stop.sa_handler = on_stop;
  sigemptyset(&stop.sa_mask);
  struct sigaction child = {0};
  child.sa_handler = on_child;
  child.sa_flags = SA_NOCLDSTOP | SA_RESTART;
  sigemptyset(&child.sa_mask);
  if (sigaction(SIGTERM, &stop, NULL) < 0 || sigaction(SIGINT, &stop, NULL) < 0 ||
      sigaction(SIGCHLD, &child, NULL) < 0) {
    perror("cephaloproxy-pause: sigaction");
    return 1;
  }
  /* Block the stop signals except inside sigsuspend, so none is lost between check and wait. */
  sigset_t blocked, waiting;
  sigemptyset(&blocked);
  sigaddset(&blocked, SIGTERM);
  sigaddset(&blocked, SIGINT);
  sigaddset(&blocked, SIGCHLD);
  sigprocmask(SIG_BLOCK, &blocked, &waiting);
  sigdelset(&waiting, SIGTERM);
  sigdelset(&waiting, SIGINT);
  sigdelset(&waiting, SIGCHLD);
  while (!stop_requested) {
    sigsuspend(&waiting);
  }
  return 0;
}
