# Finds the system libraries TwoPass links with and wraps them as imported targets
# twopass::cpuinfo and twopass::pthreadpool. Included by the top CMakeLists.txt and by
# the installed package configuration (twopassConfig.cmake), so a project that links
# twopass::twopass resolves them the same way TwoPass itself did.
#
# Debian ships cpuinfo with a pkg-config file (libcpuinfo.pc) and a CMake config that
# points at the wrong prefix, so pkg-config is used; pthreadpool has neither, so its
# header and library are searched for directly.

if(NOT TARGET twopass::pthreadpool)
  find_path(TWOPASS_PTHREADPOOL_INCLUDE_DIR pthreadpool.h)
  find_library(TWOPASS_PTHREADPOOL_LIBRARY pthreadpool)
  if(NOT TWOPASS_PTHREADPOOL_INCLUDE_DIR OR NOT TWOPASS_PTHREADPOOL_LIBRARY)
    message(FATAL_ERROR "twopass: pthreadpool not found (Debian: libpthreadpool-dev); "
                        "set TWOPASS_PTHREADPOOL_INCLUDE_DIR and TWOPASS_PTHREADPOOL_LIBRARY")
  endif()
  find_package(Threads REQUIRED)
  add_library(twopass::pthreadpool UNKNOWN IMPORTED)
  set_target_properties(twopass::pthreadpool PROPERTIES
    IMPORTED_LOCATION "${TWOPASS_PTHREADPOOL_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${TWOPASS_PTHREADPOOL_INCLUDE_DIR}"
    INTERFACE_LINK_LIBRARIES Threads::Threads)
endif()

if(NOT TARGET twopass::cpuinfo)
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(TWOPASS_CPUINFO REQUIRED libcpuinfo)
  # The full path of the library, so the imported target needs no link directories.
  find_library(TWOPASS_CPUINFO_LIBRARY NAMES cpuinfo
               HINTS ${TWOPASS_CPUINFO_LIBRARY_DIRS})
  if(NOT TWOPASS_CPUINFO_LIBRARY)
    message(FATAL_ERROR "twopass: libcpuinfo.pc found but not the library it names")
  endif()
  add_library(twopass::cpuinfo UNKNOWN IMPORTED)
  # pkg-config already leaves out system include directories such as /usr/include
  # (naming those with -isystem breaks libstdc++'s #include_next).
  set_target_properties(twopass::cpuinfo PROPERTIES
    IMPORTED_LOCATION "${TWOPASS_CPUINFO_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${TWOPASS_CPUINFO_INCLUDE_DIRS}")
endif()
