

BprobabilitiesJ(‹(>}‰=¢u=Ž¥è=gÐ>P3Ö=0HÍ=ù­µ=õƒØ=[î=