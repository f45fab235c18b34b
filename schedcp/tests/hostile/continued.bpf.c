/* hostile: a directive split over lines */
#inc\
lude "/etc/passwd"
