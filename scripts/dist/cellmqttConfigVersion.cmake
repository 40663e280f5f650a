# SPDX-License-Identifier: MIT OR Apache-2.0
# cellmqtt @VERSION@. Before 1.0 a minor version may break the API: a request matches when major
# and minor are equal (and the patch is at least the one asked for); from 1.0 on, when the
# major is equal.
set(PACKAGE_VERSION "@VERSION@")
set(PACKAGE_VERSION_COMPATIBLE FALSE)
if(PACKAGE_FIND_VERSION)
  string(REGEX MATCH "^([0-9]+)\\.([0-9]+)" _ "${PACKAGE_VERSION}")
  set(_major "${CMAKE_MATCH_1}")
  set(_minor "${CMAKE_MATCH_2}")
  if(PACKAGE_FIND_VERSION_MAJOR EQUAL _major
     AND (_major GREATER 0 OR PACKAGE_FIND_VERSION_MINOR EQUAL _minor)
     AND NOT PACKAGE_VERSION VERSION_LESS PACKAGE_FIND_VERSION)
    set(PACKAGE_VERSION_COMPATIBLE TRUE)
  endif()
else()
  set(PACKAGE_VERSION_COMPATIBLE TRUE)
endif()
if(PACKAGE_FIND_VERSION STREQUAL PACKAGE_VERSION)
  set(PACKAGE_VERSION_EXACT TRUE)
endif()
