# SPDX-License-Identifier: MIT OR Apache-2.0
# cellmqtt @VERSION@, prebuilt: find_package(cellmqtt) with this bundle on CMAKE_PREFIX_PATH (or
# cellmqtt_DIR set to this folder).
#
#   find_package(cellmqtt REQUIRED)
#   target_link_libraries(app PRIVATE cellmqtt::cellmqtt)   # the library and its header
#   target_link_libraries(app PRIVATE cellmqtt::posix)      # host only: the POSIX port
#
# The library for the target is picked from the compiler's flags (-mcpu, -mfloat-abi, -march)
# or the host; set CELLMQTT_TARGET to a triple of lib/ to choose it yourself. CELLMQTT_DIALECT
# picks the dialects linked: "all" (default) or one of: @DIALECTS@.
cmake_minimum_required(VERSION 3.16)
get_filename_component(_cellmqtt_root "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)

set(CELLMQTT_DIALECT "all" CACHE STRING "cellmqtt dialects to link: all, @DIALECTS@")
set(CELLMQTT_TARGET "" CACHE STRING "cellmqtt library triple (empty: from the compiler flags)")

function(_cellmqtt_pick_target out)
  string(TOLOWER "${CMAKE_C_FLAGS} ${CMAKE_C_FLAGS_INIT} ${CMAKE_SYSTEM_PROCESSOR}" flags)
  set(hard OFF)
  if(flags MATCHES "-mfloat-abi=hard")
    set(hard ON)
  endif()
  if(flags MATCHES "cortex-m0|cortex-m1([^0-9]|$)")
    set(t thumbv6m-none-eabi)
  elseif(flags MATCHES "cortex-m3")
    set(t thumbv7m-none-eabi)
  elseif(flags MATCHES "cortex-m4|cortex-m7")
    set(t thumbv7em-none-eabi)
    if(hard)
      set(t thumbv7em-none-eabihf)
    endif()
  elseif(flags MATCHES "cortex-m23")
    set(t thumbv8m.base-none-eabi)
  elseif(flags MATCHES "cortex-m33|cortex-m35p|cortex-m55|cortex-m85")
    set(t thumbv8m.main-none-eabi)
    if(hard)
      set(t thumbv8m.main-none-eabihf)
    endif()
  elseif(flags MATCHES "-march=rv32imac")
    set(t riscv32imac-unknown-none-elf)
  elseif(flags MATCHES "-march=rv32imc")
    set(t riscv32imc-unknown-none-elf)
  elseif(NOT CMAKE_CROSSCOMPILING AND CMAKE_SYSTEM_NAME STREQUAL "Linux"
         AND CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
    set(t x86_64-unknown-linux-gnu)
  else()
    set(t "")
  endif()
  set(${out} "${t}" PARENT_SCOPE)
endfunction()

set(_cellmqtt_target "${CELLMQTT_TARGET}")
if(NOT _cellmqtt_target)
  _cellmqtt_pick_target(_cellmqtt_target)
endif()
if(NOT _cellmqtt_target)
  set(${CMAKE_FIND_PACKAGE_NAME}_FOUND FALSE)
  set(${CMAKE_FIND_PACKAGE_NAME}_NOT_FOUND_MESSAGE
      "cellmqtt: no library matches this compiler's flags; set CELLMQTT_TARGET to one of the triples in ${_cellmqtt_root}/lib")
  return()
endif()
set(_cellmqtt_lib "${_cellmqtt_root}/lib/${_cellmqtt_target}/${CELLMQTT_DIALECT}/libcellmqtt.a")
if(NOT EXISTS "${_cellmqtt_lib}")
  set(${CMAKE_FIND_PACKAGE_NAME}_FOUND FALSE)
  set(${CMAKE_FIND_PACKAGE_NAME}_NOT_FOUND_MESSAGE
      "cellmqtt: no ${_cellmqtt_lib} (CELLMQTT_TARGET ${_cellmqtt_target}, CELLMQTT_DIALECT ${CELLMQTT_DIALECT})")
  return()
endif()
set(CELLMQTT_LIBRARY "${_cellmqtt_lib}")
set(CELLMQTT_INCLUDE_DIR "${_cellmqtt_root}/include")

if(NOT TARGET cellmqtt::cellmqtt)
  add_library(cellmqtt::cellmqtt STATIC IMPORTED)
  set_target_properties(cellmqtt::cellmqtt PROPERTIES
    IMPORTED_LOCATION "${_cellmqtt_lib}"
    INTERFACE_INCLUDE_DIRECTORIES "${_cellmqtt_root}/include")
  if(_cellmqtt_target STREQUAL "x86_64-unknown-linux-gnu")
    # The host library uses the C library's threads and dynamic loader (Rust's std).
    set_target_properties(cellmqtt::cellmqtt PROPERTIES INTERFACE_LINK_LIBRARIES "pthread;dl;m")
  endif()
endif()

if(_cellmqtt_target STREQUAL "x86_64-unknown-linux-gnu" AND NOT TARGET cellmqtt::posix)
  # The POSIX port (serial or TCP link, clock, pins), compiled from the bundle's sources.
  add_library(cellmqtt_posix STATIC
    "${_cellmqtt_root}/ports/posix/cellmqtt_posix.c"
    "${_cellmqtt_root}/ports/posix/baud_linux.c")
  target_include_directories(cellmqtt_posix PUBLIC "${_cellmqtt_root}/ports/posix")
  target_link_libraries(cellmqtt_posix PUBLIC cellmqtt::cellmqtt)
  add_library(cellmqtt::posix ALIAS cellmqtt_posix)
endif()

if(NOT ${CMAKE_FIND_PACKAGE_NAME}_FIND_QUIETLY)
  message(STATUS "cellmqtt @VERSION@: ${_cellmqtt_target}, dialects ${CELLMQTT_DIALECT}")
endif()
