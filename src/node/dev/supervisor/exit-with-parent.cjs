// Preloaded (`node --require`) into every process the dev supervisor starts: once the
// supervisor (DATASPINE_SUPERVISOR_PID) is gone, even killed with SIGKILL, this process ends
// its whole process group (wrangler takes workerd with it), so nothing is left orphaned.
const supervisor = Number(process.env.DATASPINE_SUPERVISOR_PID);
if (Number.isInteger(supervisor) && supervisor > 0) {
  const timer = setInterval(() => {
    try {
      process.kill(supervisor, 0);
    } catch (error) {
      if (error.code !== "ESRCH") return;
      clearInterval(timer);
      try {
        process.kill(-process.pid, "SIGTERM");
      } catch {
        process.kill(process.pid, "SIGTERM");
      }
    }
  }, 1000);
  timer.unref();
}
