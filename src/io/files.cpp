// Whole-file reading, atomic writing (temporary file, fsync, rename) and the clean-up of temporary
// files left by killed writers.
#include "io/files.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

namespace {

// The folder part of `path` ("." when it has none) and the file name.
void split_path(const std::string& path, std::string* dir, std::string* name) {
  const size_t slash = path.find_last_of('/');
  *dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  *name = slash == std::string::npos ? path : path.substr(slash + 1);
}

#ifndef __EMSCRIPTEN__
// The pid in a temporary file's name suffix: 1 to 10 decimal digits, positive; else -1.
long pid_of_suffix(const std::string& digits) {
  if (digits.empty() || digits.size() > 10 || digits.find_first_not_of("0123456789") != std::string::npos) return -1;
  const long long pid = std::stoll(digits);
  return pid > 0 && pid <= 0x7fffffff ? static_cast<long>(pid) : -1;
}

// When the process `pid` started, in seconds since the epoch; -1 when unknown (no /proc).
double process_start_time(long pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return -1;
  // fields after the command name (which may hold spaces and parentheses): state is field 3,
  // starttime (clock ticks since boot) field 22
  const size_t close = line.rfind(')');
  if (close == std::string::npos) return -1;
  std::string field;
  std::istringstream rest(line.substr(close + 1));
  unsigned long long ticks = 0;
  for (int i = 3; i <= 22 && rest >> field; ++i)
    if (i == 22) ticks = std::strtoull(field.c_str(), nullptr, 10);
  std::ifstream proc_stat("/proc/stat");
  unsigned long long boot = 0;
  while (std::getline(proc_stat, line))
    if (line.rfind("btime ", 0) == 0) boot = std::strtoull(line.c_str() + 6, nullptr, 10);
  const long hz = sysconf(_SC_CLK_TCK);
  if (boot == 0 || ticks == 0 || hz <= 0) return -1;
  return static_cast<double>(boot) + static_cast<double>(ticks) / static_cast<double>(hz);
}

// A temporary file of process `pid`, last written at `mtime`, is stale when that process is gone, or
// when the process now holding the pid started after the file was written (the pid was reused).
bool temp_is_stale(long pid, double mtime) {
  if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) return true;
  const double started = process_start_time(pid);
  return started >= 0 && started > mtime + 1;
}
#endif

}  // namespace

Status file_read_all(const std::string& path, std::vector<uint8_t>* out) {
  FILE* file = std::fopen(path.c_str(), "rb");
  if (!file) return Status::error("cannot open '" + path + "': " + std::strerror(errno));
  std::vector<uint8_t> bytes;
  uint8_t chunk[1 << 16];
  size_t got;
  while ((got = std::fread(chunk, 1, sizeof chunk, file)) > 0) bytes.insert(bytes.end(), chunk, chunk + got);
  bool failed = std::ferror(file) != 0;
  std::fclose(file);
  if (failed) return Status::error("cannot read '" + path + "': read error");
  *out = std::move(bytes);
  return Status::success();
}

std::string file_temp_name(const std::string& path, long pid) { return path + ".tmp." + std::to_string(pid); }

Status file_write_atomic(const std::string& path, const std::vector<uint8_t>& bytes) {
  const std::string temp = file_temp_name(path, static_cast<long>(getpid()));
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0)
    return Status::error("cannot write '" + path + "': cannot create '" + temp + "': " + std::strerror(errno));
  size_t written = 0;
  while (written < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    written += size_t(n);
  }
  std::string problem;
  if (written < bytes.size()) problem = std::string("write failed: ") + std::strerror(errno);
  else if (::fsync(fd) != 0) problem = std::string("fsync failed: ") + std::strerror(errno);
  if (::close(fd) != 0 && problem.empty()) problem = std::string("close failed: ") + std::strerror(errno);
  if (problem.empty() && std::rename(temp.c_str(), path.c_str()) != 0)
    problem = std::string("rename failed: ") + std::strerror(errno);
  if (!problem.empty()) {
    std::remove(temp.c_str());
    return Status::error("cannot write '" + path + "': " + problem);
  }
  return Status::success();
}

Status file_remove_stale_temps(const std::string& path, std::vector<std::string>* removed) {
#ifdef __EMSCRIPTEN__
  (void)path, (void)removed;
  return Status::success();
#else
  std::string dir, name;
  split_path(path, &dir, &name);
  const std::string prefix = name + ".tmp.";
  DIR* listing = ::opendir(dir.c_str());
  if (!listing) return errno == ENOENT ? Status::success() : Status::error("cannot list '" + dir + "': " + std::strerror(errno));
  std::vector<std::string> stale;
  while (const dirent* entry = ::readdir(listing)) {
    const std::string file = entry->d_name;
    if (file.size() <= prefix.size() || file.compare(0, prefix.size(), prefix) != 0) continue;
    const long pid = pid_of_suffix(file.substr(prefix.size()));
    const std::string full = dir == "." && path.find('/') == std::string::npos ? file : dir + "/" + file;
    struct stat info;
    if (pid < 0 || ::lstat(full.c_str(), &info) != 0 || !S_ISREG(info.st_mode)) continue;
    const double mtime = static_cast<double>(info.st_mtim.tv_sec) + 1e-9 * static_cast<double>(info.st_mtim.tv_nsec);
    if (temp_is_stale(pid, mtime)) stale.push_back(full);
  }
  ::closedir(listing);
  for (const std::string& file : stale) {
    if (std::remove(file.c_str()) != 0 && errno != ENOENT)
      return Status::error("cannot remove the stale temporary file '" + file + "': " + std::strerror(errno));
    if (removed) removed->push_back(file);
  }
  return Status::success();
#endif
}

Status file_check_writable_dir(const std::string& path) {
  std::string dir, name;
  split_path(path, &dir, &name);
  struct stat info;
  if (::stat(dir.c_str(), &info) != 0)
    return Status::error("cannot write '" + path + "': folder '" + dir + "': " + std::strerror(errno));
  if (!S_ISDIR(info.st_mode)) return Status::error("cannot write '" + path + "': '" + dir + "' is not a folder");
  if (::access(dir.c_str(), W_OK) != 0)
    return Status::error("cannot write '" + path + "': folder '" + dir + "': " + std::strerror(errno));
  return Status::success();
}
